"""bench/bench_c2st_null.py: C2ST of an ideal generator, one that draws
the train music itself."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'bench'))
import bench_c2st_null  # pylint: disable=g-import-not-at-top,wrong-import-position
from tests import melodies  # pylint: disable=g-import-not-at-top,wrong-import-position


def _pieces(first_seed, count, low):
  """`count` random melodies of 40 notes from MIDI `low` up an octave."""
  pieces = []
  for seed in range(first_seed, first_seed + count):
    pitches, shifts = melodies.random_melody(seed, 40)
    pieces.append(melodies.tokens(low + (pitches - 48) % 12, shifts))
  return pieces


class _Music:
  """real_data.RealMusic's tokens(split, genre): 'same' keeps its
  held-out music in the train register, 'moved' puts it two octaves up."""

  def tokens(self, split, genre):
    if split == 'train':
      return _pieces(0, 40, 48)
    first = 100 if split == 'validation' else 200
    return _pieces(first, 12, 48 if genre == 'same' else 72)


def test_the_ideal_generator_passes_only_where_train_is_like_held_out():
  same = bench_c2st_null.null_rows(_Music(), 'same', 'test', seeds=2,
                                   count=24, length=90)
  moved = bench_c2st_null.null_rows(_Music(), 'moved', 'test', seeds=2,
                                    count=24, length=90)
  assert np.mean(same['ideal']) < 0.7
  assert np.mean(moved['ideal']) > 0.9
  # Validation against test music: both held out, both in one register.
  assert np.mean(moved['real']) < 0.7


def test_an_ideal_sample_is_one_crop_of_each_drawn_piece():
  train = [np.arange(i * 100, i * 100 + 50) for i in range(6)]
  crops = bench_c2st_null.ideal_samples(train, 4, 10, seed=0)
  assert len(crops) == 4 and all(len(c) == 10 for c in crops)
  assert len({int(c[0]) // 100 for c in crops}) == 4  # Four pieces.
  assert len(bench_c2st_null.ideal_samples(train, 9, 10, seed=0)) == 6
  assert bench_c2st_null.summary([0.4, 0.5, 0.6]) == '0.500 [0.40, 0.60]'
