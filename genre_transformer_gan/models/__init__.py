"""Models: the generator families (Music Transformer with relative attention,
LSTM, WaveNet; generators.build picks one), the genre classifier and the
critic, their losses, loading them (generator_io, classifier_io) and the
shipped pretrained generator (pretrained.py)."""
