"""Console scripts (absl flags; one module per command)."""
