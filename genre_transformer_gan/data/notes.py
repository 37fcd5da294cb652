"""Event tokens -> notes, fast, with whether each note was ever closed.

`tokenizer.tokens_to_note_sequence` (note_seq's `Performance.to_sequence`)
is the oracle: `notes_of_tokens` gives exactly its notes (pitch, start, end,
velocity; tests/test_notes.py) without building a Performance and a
NoteSequence proto, and adds what note_seq drops: whether a note was ended by
its NOTE_OFF or only by the end of the sequence (`closed`), the "drone"
failure of an under-trained generator.

note_seq's rules, kept here: NOTE_OFF ends the earliest open note of its
pitch (first in, first out); a NOTE_OFF without an open note is ignored;
zero-length notes are dropped; notes still open at the end end there.
"""

import dataclasses
import math

import numpy as np

from genre_transformer_gan.data import vocabulary as vocab

DEFAULT_VELOCITY = 100


@dataclasses.dataclass(frozen=True)
class Notes:
  """Notes sorted by (start, pitch, end, velocity); fields are [num_notes].

  Attributes:
    pitch: int64 MIDI pitch.
    start, end: float64 seconds.
    velocity: int64 MIDI velocity.
    closed: bool, False for notes only ended by the end of the sequence.
    total_time: float64 seconds of the whole sequence (its time shifts).
  """
  pitch: np.ndarray
  start: np.ndarray
  end: np.ndarray
  velocity: np.ndarray
  closed: np.ndarray
  total_time: float

  def __len__(self):
    return len(self.pitch)

  @property
  def duration(self) -> np.ndarray:
    return self.end - self.start


# note_seq.performance_lib.velocity_bin_to_velocity: MIDI velocities 1..127
# in NUM_VELOCITY_BINS bins, bin b -> 1 + (b - 1) * bin size.
_VELOCITY_BIN_SIZE = math.ceil(127 / vocab.NUM_VELOCITY_BINS)


def _velocity_of_bin(velocity_bin: int) -> int:
  return 1 + (velocity_bin - 1) * _VELOCITY_BIN_SIZE


def notes_of_tokens(tokens, velocity: int = DEFAULT_VELOCITY) -> Notes:
  """The notes int [L] event tokens play (PAD / genre skipped, EOS ends).

  Args:
    tokens: int [L] tokens.
    velocity: velocity of notes before the first VELOCITY event.
  """
  step = 0
  open_notes = {}  # pitch -> [(start step, velocity)], oldest first
  rows = []  # (start step, end step, pitch, velocity, closed)
  for token in np.asarray(tokens).reshape(-1).tolist():
    if token == vocab.EOS_ID:
      break
    if token < vocab.NOTE_ON_OFFSET or token >= vocab.GENRE_OFFSET:
      continue
    if token < vocab.NOTE_OFF_OFFSET:
      open_notes.setdefault(token - vocab.NOTE_ON_OFFSET, []).append(
          (step, velocity))
    elif token < vocab.TIME_SHIFT_OFFSET:
      pitch = token - vocab.NOTE_OFF_OFFSET
      started = open_notes.get(pitch)
      if started:
        start, note_velocity = started.pop(0)
        if step != start:
          rows.append((start, step, pitch, note_velocity, True))
    elif token < vocab.VELOCITY_OFFSET:
      step += token - vocab.TIME_SHIFT_OFFSET + 1
    else:
      velocity = _velocity_of_bin(token - vocab.VELOCITY_OFFSET + 1)
  for pitch, started in open_notes.items():
    rows.extend((start, step, pitch, note_velocity, False)
                for start, note_velocity in started if start != step)
  rows.sort(key=lambda row: (row[0], row[2], row[1], row[3]))
  table = np.array([row[:4] for row in rows], np.int64).reshape(-1, 4)
  seconds = 1.0 / vocab.STEPS_PER_SECOND
  return Notes(pitch=table[:, 2], start=table[:, 0] * seconds,
               end=table[:, 1] * seconds, velocity=table[:, 3],
               closed=np.array([row[4] for row in rows], bool),
               total_time=step * seconds)


def open_note_onsets(tokens) -> list:
  """Token indices of the NOTE_ONs still sounding after int [L] tokens.

  The same rules as `notes_of_tokens` (first in, first out per pitch; EOS
  ends), ascending: the first is the oldest note still on.
  """
  open_notes = {}  # pitch -> [token index], oldest first
  for index, token in enumerate(np.asarray(tokens).reshape(-1).tolist()):
    if token == vocab.EOS_ID:
      break
    if vocab.NOTE_ON_OFFSET <= token < vocab.NOTE_OFF_OFFSET:
      open_notes.setdefault(token - vocab.NOTE_ON_OFFSET, []).append(index)
    elif vocab.NOTE_OFF_OFFSET <= token < vocab.TIME_SHIFT_OFFSET:
      started = open_notes.get(token - vocab.NOTE_OFF_OFFSET)
      if started:
        started.pop(0)
  return sorted(i for started in open_notes.values() for i in started)
