"""Models: the Music Transformer generator and its layers."""
