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


def one_key_per_pitch(quantized) -> None:
  """One key sounds once, in place on a quantized NoteSequence.

  The token stream plays one instrument, so notes of one pitch must not
  overlap (`notes.one_key_tokens` decodes by the same rule): notes of a pitch
  that start on the same step become one (the earliest, with the latest end
  and the loudest velocity); a note whose key is struck again before its end
  ends there, as note_seq's `apply_sustain_control_changes` ends a re-struck
  sustained note. Without this, voices in unison give NOTE_ON, NOTE_ON,
  NOTE_OFF, NOTE_OFF of one pitch, which a generator must count to close.
  """
  notes = list(quantized.notes)
  order = sorted(range(len(notes)), key=lambda i: (
      notes[i].pitch, notes[i].quantized_start_step, notes[i].start_time, i))
  kept = []
  for i in order:
    note = notes[i]
    if kept and notes[kept[-1]].pitch == note.pitch:
      last = notes[kept[-1]]
      if note.quantized_start_step == last.quantized_start_step:
        last.quantized_end_step = max(last.quantized_end_step,
                                      note.quantized_end_step)
        last.end_time = max(last.end_time, note.end_time)
        last.velocity = max(last.velocity, note.velocity)
        continue
      if note.quantized_start_step < last.quantized_end_step:
        last.quantized_end_step = note.quantized_start_step
        last.end_time = note.start_time
    kept.append(i)
  kept = [notes[i] for i in sorted(kept)]
  del quantized.notes[:]
  quantized.notes.extend(kept)


def note_sequence_to_tokens(ns) -> np.ndarray:
  """NoteSequence -> int32 [num_events] tokens, drums dropped.

  sustain pedal -> drop drums -> absolute quantization at 100 steps/s ->
  one key per pitch -> Performance(num_velocity_bins=32, max_shift_steps=100)
  -> one-hot ids + 2.
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
  one_key_per_pitch(quantized)
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
