"""bench/bench_c2st_features.py: which feature groups the two-sample test
relies on."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'bench'))
import bench_c2st_features  # pylint: disable=g-import-not-at-top,wrong-import-position
from genre_transformer_gan.evaluation import features  # pylint: disable=g-import-not-at-top,wrong-import-position


def _sets(shift_group=None, shift=3.0, rows=48, seed=0):
  rng = np.random.default_rng(seed)
  samples = rng.normal(size=(rows, features.NUM_FEATURES))
  reference = rng.normal(size=(rows, features.NUM_FEATURES))
  if shift_group:
    samples[:, features.group_slices()[shift_group]] += shift
  return samples, reference, np.arange(rows) // 4  # 4 crops a piece.


def test_the_group_that_differs_ranks_first():
  samples, reference, groups = _sets('note_density')
  importance = bench_c2st_features.group_importance(samples, reference,
                                                    groups, repeats=2)
  assert list(importance)[0] == 'note_density'
  assert importance['note_density'] > 0.3
  assert max(list(importance.values())[1:]) < 0.05
  rows = bench_c2st_features.feature_differences(samples, reference,
                                                 'note_density')
  assert [row['feature'] for row in rows] == ['note_density']
  assert 2.0 < rows[0]['difference'] < 4.0

