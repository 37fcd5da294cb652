"""Fixtures for tests and benchmarks: generated MIDI files and Lakh-shaped folders."""
