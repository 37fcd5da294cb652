"""Measuring generated music: genre fidelity by the independent evaluator
(evaluator.py, with a reject option), realism (C2ST, Fréchet distance),
held notes, NLL and diversity, beside real music and negatives
(report.py)."""
