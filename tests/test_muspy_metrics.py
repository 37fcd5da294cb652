"""MusPy-named metrics equal MusPy's own on the same notes."""

import numpy as np
import pytest

from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import muspy_metrics


def _random_tokens(seed, length=400):
  rng = np.random.default_rng(seed)
  kinds = rng.choice(3, size=length, p=[0.4, 0.3, 0.3])
  tokens = np.where(
      kinds == 0, vocab.NOTE_ON_OFFSET + rng.integers(40, 90, length),
      np.where(kinds == 1, vocab.NOTE_OFF_OFFSET + rng.integers(40, 90, length),
               vocab.TIME_SHIFT_OFFSET + rng.integers(0, 60, length)))
  return tokens.astype(np.int32)


def _chords():
  """Triads then single notes: polyphony 3 half the time."""
  tokens = []
  for chord in ((60, 64, 67), (65, 69, 72), (67, 71, 74), (57, 60, 64)):
    tokens += [vocab.NOTE_ON_OFFSET + p for p in chord]
    tokens += [vocab.TIME_SHIFT_OFFSET + 49]
    tokens += [vocab.NOTE_OFF_OFFSET + p for p in chord]
    tokens += [vocab.NOTE_ON_OFFSET + chord[0], vocab.TIME_SHIFT_OFFSET + 49,
               vocab.NOTE_OFF_OFFSET + chord[0]]
  return np.array(tokens, np.int32)


def test_known_values():
  values = muspy_metrics.of_notes(notes_lib.notes_of_tokens(_chords()))
  assert values['polyphony'] == pytest.approx(2.0)
  assert values['polyphony_rate'] == pytest.approx(0.5)
  assert values['pitch_range'] == 74 - 57
  assert values['scale_consistency'] == 1.0  # all in C major
  empty = muspy_metrics.of_notes(notes_lib.notes_of_tokens(np.array([], int)))
  assert np.isnan(empty['polyphony']) and empty['pitch_range'] == 0


@pytest.mark.parametrize('seed', range(5))
def test_equal_to_muspy(seed):
  muspy = pytest.importorskip('muspy')
  tokens = _chords() if seed == 0 else _random_tokens(seed)
  notes = notes_lib.notes_of_tokens(tokens)
  start, end = muspy_metrics._steps(notes)  # pylint: disable=protected-access
  music = muspy.Music(resolution=50, tracks=[muspy.Track(notes=[
      muspy.Note(time=int(s), pitch=int(p), duration=int(e - s), velocity=64)
      for s, e, p in zip(start, end, notes.pitch)])])
  ours = muspy_metrics.of_notes(notes)
  for name in muspy_metrics.NAMES:
    assert ours[name] == pytest.approx(getattr(muspy, name)(music),
                                       nan_ok=True), name
