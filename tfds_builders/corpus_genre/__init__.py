"""corpus_genre: the embedded default dataset (music21's corpus)."""
