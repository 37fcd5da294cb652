"""Data stage: MIDI -> NoteSequence -> event tokens -> tf.data."""

from genre_transformer_gan.data.errors import UnreadableMidiError
from genre_transformer_gan.data.tokenizer import decode_tokens
from genre_transformer_gan.data.tokenizer import encode_midi
from genre_transformer_gan.data.tokenizer import encode_midi_with_info
from genre_transformer_gan.data.tokenizer import EncodedMidi
from genre_transformer_gan.data.tokenizer import tokens_to_note_sequence
from genre_transformer_gan.data.vocabulary import Vocabulary
