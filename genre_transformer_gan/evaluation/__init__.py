"""Judging genre fidelity, realism and diversity of generated music."""
