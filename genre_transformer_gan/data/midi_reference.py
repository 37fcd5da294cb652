"""The reference MIDI -> event-token recipe, written with note_seq only.

This is the oracle: `genre_transformer_gan.data.encode_midi` must return
exactly these tokens (tests/test_tokenizer_identity.py and
bench/bench_tokenize.py check it). Keep it plain and obviously correct.
"""

import note_seq
from note_seq import performance_lib
from note_seq import sequences_lib
import numpy as np

from genre_transformer_gan.data import errors
from genre_transformer_gan.data import vocabulary

ENCODING = note_seq.PerformanceOneHotEncoding(
    num_velocity_bins=vocabulary.NUM_VELOCITY_BINS)


def midi_bytes_to_note_sequence(midi_bytes: bytes):
  """MIDI bytes -> NoteSequence (note_seq.midi_to_note_sequence)."""
  try:
    return note_seq.midi_to_note_sequence(midi_bytes)
  except note_seq.MIDIConversionError as e:
    raise errors.UnreadableMidiError(str(e), 'decode_error') from e


def note_sequence_to_tokens(ns) -> np.ndarray:
  """NoteSequence -> int32 [num_events] tokens, drums dropped.

  sustain pedal -> drop drums -> absolute quantization at 100 steps/s ->
  Performance(num_velocity_bins=32, max_shift_steps=100) -> one-hot ids + 2.
  """
  ns = sequences_lib.apply_sustain_control_changes(ns)
  kept = [note for note in ns.notes if not note.is_drum]
  del ns.notes[:]
  ns.notes.extend(kept)
  try:
    quantized = sequences_lib.quantize_note_sequence_absolute(
        ns, vocabulary.STEPS_PER_SECOND)
  except sequences_lib.NegativeTimeError as e:
    raise errors.UnreadableMidiError(str(e), 'negative_time') from e
  performance = performance_lib.Performance(
      quantized, num_velocity_bins=vocabulary.NUM_VELOCITY_BINS,
      max_shift_steps=vocabulary.MAX_SHIFT_STEPS)
  return np.array(
      [ENCODING.encode_event(e) + vocabulary.NUM_RESERVED
       for e in performance], dtype=np.int32)


def encode_midi_reference(midi_bytes: bytes) -> np.ndarray:
  """MIDI bytes -> int32 [num_events] event tokens by the reference recipe.

  Raises:
    UnreadableMidiError: note_seq/pretty_midi could not read the file.
  """
  return note_sequence_to_tokens(midi_bytes_to_note_sequence(midi_bytes))
