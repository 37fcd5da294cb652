"""MIDI <-> performance event tokens (see vocabulary.py for the layout).

`encode_midi` returns exactly the tokens of the note_seq reference recipe
(`midi_reference.encode_midi_reference`); it gets there faster by reading the
file with `smf_reader` and encoding with `performance_encoder`, and falls back
to the reference itself for any file the fast path does not take.
"""

import dataclasses
import os
from typing import Union

from etils import epath
import note_seq
import numpy as np

from genre_transformer_gan.data import errors
from genre_transformer_gan.data import midi_reference
from genre_transformer_gan.data import performance_encoder
from genre_transformer_gan.data import smf_reader
from genre_transformer_gan.data import vocabulary as vocab

MidiInput = Union[bytes, bytearray, str, os.PathLike]


def _read_bytes(midi: MidiInput) -> bytes:
  if isinstance(midi, (bytes, bytearray)):
    return bytes(midi)
  try:
    return epath.Path(midi).read_bytes()
  except OSError as e:
    raise errors.UnreadableMidiError(
        f'Cannot read {midi}: {e}', 'io_error') from e


@dataclasses.dataclass(frozen=True)
class EncodedMidi:
  """Tokens of one MIDI file plus what the dataset builders count.

  Attributes:
    tokens: int32 [num_events] event tokens (no genre token, no EOS).
    num_notes: melodic notes in the file (drums excluded).
    num_drum_notes: drum notes (channel 10), dropped from `tokens`.
  """
  tokens: np.ndarray
  num_notes: int
  num_drum_notes: int


def encode_midi_with_info(midi: MidiInput) -> EncodedMidi:
  """Like `encode_midi`, also counting melodic and drum notes."""
  data = _read_bytes(midi)
  try:
    notes = smf_reader.read_notes(data)
  except Exception:  # pylint: disable=broad-except
    # Anything unusual: the reference decides (and raises if it fails).
    ns = midi_reference.midi_bytes_to_note_sequence(data)
    num_drum = sum(1 for n in ns.notes if n.is_drum)
    tokens = midi_reference.note_sequence_to_tokens(ns)
    return EncodedMidi(tokens, len(ns.notes) - num_drum, num_drum)
  num_drum = int(np.sum(notes.is_drum))
  return EncodedMidi(performance_encoder.notes_to_tokens(notes),
                     len(notes.pitch) - num_drum, num_drum)


def encode_midi(midi: MidiInput) -> np.ndarray:
  """MIDI file (path or bytes) -> int32 [num_events] event tokens.

  Equal to the reference recipe: note_seq.midi_to_note_sequence ->
  apply_sustain_control_changes -> drop drums ->
  quantize_note_sequence_absolute(ns, 100) -> Performance(num_velocity_bins=32,
  max_shift_steps=100) -> PerformanceOneHotEncoding(32).encode_event(e) + 2.

  Raises:
    UnreadableMidiError: the file cannot be read or decoded.
  """
  return encode_midi_with_info(midi).tokens


def tokens_to_note_sequence(tokens, velocity: int = 100):
  """Event tokens -> NoteSequence.

  PAD and genre tokens are skipped; decoding stops at the first EOS.

  Args:
    tokens: int [length] tokens.
    velocity: velocity for notes before the first VELOCITY event.
  """
  performance = note_seq.Performance(
      steps_per_second=vocab.STEPS_PER_SECOND,
      num_velocity_bins=vocab.NUM_VELOCITY_BINS,
      max_shift_steps=vocab.MAX_SHIFT_STEPS)
  for token in np.asarray(tokens).reshape(-1):
    token = int(token)
    if token == vocab.EOS_ID:
      break
    if vocab.NUM_RESERVED <= token < vocab.GENRE_OFFSET:
      performance.append(midi_reference.ENCODING.decode_event(
          token - vocab.NUM_RESERVED))
  return performance.to_sequence(velocity=velocity)


def duration_seconds(tokens) -> float:
  """Seconds the event tokens span: their TIME_SHIFTs (up to the first EOS)."""
  tokens = np.asarray(tokens).reshape(-1)
  eos = np.flatnonzero(tokens == vocab.EOS_ID)
  tokens = tokens[:eos[0]] if len(eos) else tokens
  shifts = tokens[(tokens >= vocab.TIME_SHIFT_OFFSET) &
                  (tokens < vocab.VELOCITY_OFFSET)]
  steps = np.sum(shifts - vocab.TIME_SHIFT_OFFSET + 1)
  return float(steps) / vocab.STEPS_PER_SECOND


def decode_tokens(tokens, path=None, velocity: int = 100):
  """Event tokens -> MIDI.

  Args:
    tokens: int [length] tokens.
    path: if given, the MIDI file is written there.
    velocity: velocity for notes before the first VELOCITY event.

  Returns:
    The NoteSequence (also written to `path` as MIDI when given).
  """
  ns = tokens_to_note_sequence(tokens, velocity)
  if path is not None:
    note_seq.sequence_proto_to_midi_file(ns, os.fspath(path))
  return ns
