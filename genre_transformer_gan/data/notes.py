"""Event tokens -> notes, fast, with whether each note was ever closed.

`tokenizer.tokens_to_note_sequence` (note_seq's `Performance.to_sequence` of
`one_key_tokens`) is the oracle: `notes_of_tokens` gives exactly its notes
(pitch, start, end, velocity; tests/test_notes.py) without building a
Performance and a NoteSequence proto, and adds what note_seq drops: whether
a note was ended by its NOTE_OFF (or its key struck again) or only by the
end of the sequence (`closed`), the "drone" failure of an under-trained
generator.

One key sounds once. The event stream plays one instrument, and a key that
is struck again while it sounds ends its earlier note, as a piano and one
MIDI channel do (and as note_seq's `apply_sustain_control_changes` ends a
re-struck sustained note). note_seq's `Performance.to_sequence` instead pairs
NOTE_OFFs with the earliest open note of the pitch (first in, first out), so
a stream with one NOTE_OFF fewer than NOTE_ONs of a pitch leaves a note
sounding until the end: a drone nobody played.
`one_key_tokens` rewrites a stream into the equivalent stream where each
NOTE_ON finds its key silent and each NOTE_OFF finds it sounding; note_seq
then decodes it unchanged. Streams encoded from MIDI (`tokenizer.encode_midi`)
are already in that form.

note_seq's other rules, kept here: zero-length notes are dropped; notes
still open at the end end there.
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


def one_key_tokens(tokens) -> np.ndarray:
  """int32 [L'] tokens where one key sounds once, from int [L] tokens.

  A NOTE_ON of a sounding pitch gets a NOTE_OFF of that pitch just before it;
  a NOTE_OFF of a silent pitch is dropped; EOS and what follows are kept.
  A stream already in this form comes back unchanged.
  """
  tokens = np.asarray(tokens).reshape(-1)
  out = []
  sounding = set()
  for index, token in enumerate(tokens.tolist()):
    if token == vocab.EOS_ID:
      out.extend(tokens[index:].tolist())
      break
    if vocab.NOTE_ON_OFFSET <= token < vocab.NOTE_OFF_OFFSET:
      pitch = token - vocab.NOTE_ON_OFFSET
      if pitch in sounding:
        out.append(vocab.NOTE_OFF_OFFSET + pitch)
      sounding.add(pitch)
    elif vocab.NOTE_OFF_OFFSET <= token < vocab.TIME_SHIFT_OFFSET:
      pitch = token - vocab.NOTE_OFF_OFFSET
      if pitch not in sounding:
        continue
      sounding.discard(pitch)
    out.append(token)
  return np.array(out, np.int32)


def cap_note_durations(tokens, max_steps: int) -> np.ndarray:
  """int32 [L'] tokens in which no note sounds longer than max_steps.

  Where a note reaches max_steps (10 ms each) a NOTE_OFF of it is inserted
  (a TIME_SHIFT that passes that point is split in two), and the stream's
  own later NOTE_OFF of that note is dropped; nothing else changes. Decoded,
  the result is note_seq's `to_sequence(max_note_duration=...)` of the
  tokens (tokenizer.tokens_to_note_sequence's max_note_seconds, the oracle
  tests/test_notes.py holds it to). Magenta's Performance RNN ends its
  samples' notes at 5 s the same way: a model can leave a note hanging.
  One key sounds once, as in notes_of_tokens; EOS and what follows are
  kept.
  """
  if max_steps < 1:
    raise ValueError(f'max_steps must be at least 1, not {max_steps}.')
  tokens = np.asarray(tokens).reshape(-1).tolist()
  out = []
  step = 0
  onsets = {}  # sounding pitch -> its start step
  ended = set()  # pitches ended here, whose own NOTE_OFF is dropped
  for index, token in enumerate(tokens):
    if token == vocab.EOS_ID:
      out.extend(tokens[index:])
      break
    if vocab.NOTE_ON_OFFSET <= token < vocab.NOTE_OFF_OFFSET:
      onsets[token - vocab.NOTE_ON_OFFSET] = step
      ended.discard(token - vocab.NOTE_ON_OFFSET)
    elif vocab.NOTE_OFF_OFFSET <= token < vocab.TIME_SHIFT_OFFSET:
      pitch = token - vocab.NOTE_OFF_OFFSET
      if pitch in ended:
        ended.discard(pitch)
        continue
      onsets.pop(pitch, None)
    elif vocab.TIME_SHIFT_OFFSET <= token < vocab.VELOCITY_OFFSET:
      end = step + token - vocab.TIME_SHIFT_OFFSET + 1
      while onsets:
        deadline = min(onsets.values()) + max_steps
        if deadline >= end:
          break
        if deadline > step:
          out.append(vocab.TIME_SHIFT_OFFSET + deadline - step - 1)
          step = deadline
        for pitch in sorted(p for p, s in onsets.items()
                            if s + max_steps == deadline):
          out.append(vocab.NOTE_OFF_OFFSET + pitch)
          del onsets[pitch]
          ended.add(pitch)
      if end > step:
        out.append(vocab.TIME_SHIFT_OFFSET + end - step - 1)
      step = end
      continue
    out.append(token)
  return np.array(out, np.int32)


def cap_seconds(tokens, max_note_seconds=None) -> np.ndarray:
  """int32 [L'] tokens with no note sounding over max_note_seconds
  (cap_note_durations at the nearest step, at least one); None: the tokens
  as they are. The one rule genre_gan_generate's --max_note_seconds and
  the report's SamplingConfig.max_note_seconds apply."""
  if max_note_seconds is None:
    return np.asarray(tokens)
  return cap_note_durations(tokens, max(1, round(
      max_note_seconds * vocab.STEPS_PER_SECOND)))


def notes_of_tokens(tokens, velocity: int = DEFAULT_VELOCITY) -> Notes:
  """The notes int [L] event tokens play (PAD / genre skipped, EOS ends).

  Args:
    tokens: int [L] tokens.
    velocity: velocity of notes before the first VELOCITY event.
  """
  step = 0
  open_notes = {}  # pitch -> (start step, velocity)
  rows = []  # (start step, end step, pitch, velocity, closed)
  for token in np.asarray(tokens).reshape(-1).tolist():
    if token == vocab.EOS_ID:
      break
    if token < vocab.NOTE_ON_OFFSET or token >= vocab.GENRE_OFFSET:
      continue
    if token < vocab.TIME_SHIFT_OFFSET:
      note_on = token < vocab.NOTE_OFF_OFFSET
      pitch = token - (vocab.NOTE_ON_OFFSET if note_on else
                       vocab.NOTE_OFF_OFFSET)
      started = open_notes.pop(pitch, None)
      if started is not None and step != started[0]:
        rows.append((started[0], step, pitch, started[1], True))
      if note_on:
        open_notes[pitch] = (step, velocity)
    elif token < vocab.VELOCITY_OFFSET:
      step += token - vocab.TIME_SHIFT_OFFSET + 1
    else:
      velocity = _velocity_of_bin(token - vocab.VELOCITY_OFFSET + 1)
  rows.extend((start, step, pitch, note_velocity, False)
              for pitch, (start, note_velocity) in open_notes.items()
              if start != step)
  rows.sort(key=lambda row: (row[0], row[2], row[1], row[3]))
  table = np.array([row[:4] for row in rows], np.int64).reshape(-1, 4)
  seconds = 1.0 / vocab.STEPS_PER_SECOND
  return Notes(pitch=table[:, 2], start=table[:, 0] * seconds,
               end=table[:, 1] * seconds, velocity=table[:, 3],
               closed=np.array([row[4] for row in rows], bool),
               total_time=step * seconds)


def open_note_onsets(tokens) -> list:
  """Token indices of the NOTE_ONs still sounding after int [L] tokens.

  The same rules as `notes_of_tokens` (one key sounds once; EOS ends),
  ascending: the first is the oldest note still on.
  """
  open_notes = {}  # pitch -> token index
  for index, token in enumerate(np.asarray(tokens).reshape(-1).tolist()):
    if token == vocab.EOS_ID:
      break
    if vocab.NOTE_ON_OFFSET <= token < vocab.NOTE_OFF_OFFSET:
      open_notes[token - vocab.NOTE_ON_OFFSET] = index
    elif vocab.NOTE_OFF_OFFSET <= token < vocab.TIME_SHIFT_OFFSET:
      open_notes.pop(token - vocab.NOTE_OFF_OFFSET, None)
  return sorted(open_notes.values())
