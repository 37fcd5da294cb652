"""Event tokens of one-voice melodies, for tests of the copying measure."""

import numpy as np

from genre_transformer_gan.data import vocabulary as vocab


def tokens(pitches, shifts) -> np.ndarray:
  """int32 [3 * notes] event tokens of a melody: note i sounds from its
  onset to the next one (shifts[i] steps of 10 ms, each <= 100)."""
  out = []
  for pitch, shift in zip(pitches, shifts):
    out += [vocab.NOTE_ON_OFFSET + int(pitch),
            vocab.TIME_SHIFT_OFFSET + int(shift) - 1,
            vocab.NOTE_OFF_OFFSET + int(pitch)]
  return np.array(out, np.int32)


def random_melody(seed, count):
  """(pitches, shifts) of `count` random notes: MIDI 48-79, 0.1-0.8 s."""
  rng = np.random.default_rng(seed)
  return (rng.integers(48, 80, count), rng.choice([10, 20, 40, 80], count))
