"""MIDI <-> performance event tokens (see vocabulary.py for the layout).

`encode_midi` returns exactly the tokens of the note_seq reference recipe
(`midi_reference.encode_midi_reference`); it gets there faster by reading the
file with `smf_reader` and encoding with `performance_encoder`, and falls back
to the reference itself for any file the fast path does not take.
"""

import dataclasses
import io
import os
import struct
from typing import Optional, Union

from etils import epath
import note_seq
import numpy as np

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import errors
from genre_transformer_gan.data import midi_reference
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import performance_encoder
from genre_transformer_gan.data import smf_reader
from genre_transformer_gan.data import vocabulary as vocab

MidiInput = Union[bytes, bytearray, str, os.PathLike]
MIDI_SUFFIXES = ('.mid', '.midi')  # file names read as MIDI (any case)


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
    qpm: float64 [k] tempi of the file's tempo map (as note_seq reads it).
    smf_format: the header's format (0, 1 or 2).
  """
  tokens: np.ndarray
  num_notes: int
  num_drum_notes: int
  qpm: np.ndarray = dataclasses.field(
      default_factory=lambda: np.zeros([0], np.float64))
  smf_format: int = 1


def _smf_format(data: bytes) -> int:
  """The format field of a Standard MIDI File header (-1 if none)."""
  if len(data) < 14 or data[:4] != b'MThd':
    return -1
  return struct.unpack('>H', data[8:10])[0]


def encode_midi_with_info(midi: MidiInput) -> EncodedMidi:
  """Like `encode_midi`, also counting melodic and drum notes."""
  data = _read_bytes(midi)
  try:
    notes = smf_reader.read_notes(data)
  except Exception:  # pylint: disable=broad-except
    # Anything unusual: the reference decides (and raises if it fails).
    ns = midi_reference.midi_bytes_to_note_sequence(data)
    num_drum = sum(1 for n in ns.notes if n.is_drum)
    qpm = np.array([t.qpm for t in ns.tempos], np.float64)
    tokens = midi_reference.note_sequence_to_tokens(ns)
    return EncodedMidi(tokens, len(ns.notes) - num_drum, num_drum, qpm,
                       _smf_format(data))
  num_drum = int(np.sum(notes.is_drum))
  return EncodedMidi(performance_encoder.notes_to_tokens(notes),
                     len(notes.pitch) - num_drum, num_drum, notes.qpm,
                     _smf_format(data))


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


def tokens_to_note_sequence(tokens, velocity: int = 100,
                            max_note_seconds: Optional[float] = None):
  """Event tokens -> NoteSequence.

  PAD and genre tokens are skipped; decoding stops at the first EOS. One key
  sounds once (`notes.one_key_tokens`): a NOTE_ON of a sounding pitch ends
  its earlier note, then note_seq's `Performance.to_sequence` decodes.

  Args:
    tokens: int [length] tokens.
    velocity: velocity for notes before the first VELOCITY event.
    max_note_seconds: if set, longer notes end there (note_seq's
      max_note_duration; `notes.cap_note_durations` does it on tokens).
  """
  performance = note_seq.Performance(
      steps_per_second=vocab.STEPS_PER_SECOND,
      num_velocity_bins=vocab.NUM_VELOCITY_BINS,
      max_shift_steps=vocab.MAX_SHIFT_STEPS)
  for token in notes_lib.one_key_tokens(tokens).tolist():
    if token == vocab.EOS_ID:
      break
    if vocab.NUM_RESERVED <= token < vocab.GENRE_OFFSET:
      performance.append(midi_reference.ENCODING.decode_event(
          token - vocab.NUM_RESERVED))
  return performance.to_sequence(velocity=velocity,
                                 max_note_duration=max_note_seconds)


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
    with atomic_files.path(path) as temporary:
      note_seq.sequence_proto_to_midi_file(ns, temporary)
  return ns


def write_tokens(path, tokens) -> None:
  """Event tokens exactly as generated, as an int32 .npy file."""
  buffer = io.BytesIO()
  np.save(buffer, np.asarray(tokens, np.int32))
  atomic_files.write_bytes(os.fspath(path), buffer.getvalue())
