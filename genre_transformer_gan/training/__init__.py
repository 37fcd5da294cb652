"""Training: MLE pre-training (and, later, the adversarial phase)."""
