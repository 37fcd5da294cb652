"""Data stage: MIDI -> event tokens with a genre label -> tf.data.

Tokens (tokenizer.py) are note_seq's performance encoding; the fast reader
(smf_reader.py) gives the same tokens as the note_seq recipe
(midi_reference.py, the oracle) without building NoteSequences. Datasets
(datasets.py) are the TFDS builders in tfds_builders/; pipeline.py crops,
augments and batches them.
"""

from genre_transformer_gan.data.errors import UnreadableMidiError
from genre_transformer_gan.data.tokenizer import decode_tokens
from genre_transformer_gan.data.tokenizer import encode_midi
from genre_transformer_gan.data.tokenizer import encode_midi_with_info
from genre_transformer_gan.data.tokenizer import EncodedMidi
from genre_transformer_gan.data.tokenizer import tokens_to_note_sequence
from genre_transformer_gan.data.vocabulary import Vocabulary
