"""The report's intervals: what a statistician would sign."""

import numpy as np
import pytest
from scipy import stats

from genre_transformer_gan.evaluation import intervals
from genre_transformer_gan.evaluation import report


@pytest.mark.parametrize('successes, count', [(32, 32), (0, 32), (20, 32),
                                              (1, 3), (60, 64)])
def test_proportions_get_scipys_wilson_interval(successes, count):
  expected = stats.binomtest(successes, count).proportion_ci(
      0.95, method='wilson')
  assert intervals.proportion(successes, count) == pytest.approx(
      [expected.low, expected.high])
  assert intervals.share([1] * successes + [0] * (count - successes)) == (
      pytest.approx([expected.low, expected.high]))


def test_all_of_a_finite_sample_is_not_certainty():
  low, high = intervals.share([True] * 32)
  assert 0.88 < low < 0.90 and high == pytest.approx(1.0)


def test_crops_of_few_pieces_get_wider_intervals_than_as_many_pieces():
  rng = np.random.default_rng(0)
  piece_means = rng.random(8)  # 8 pieces, 8 crops each, alike within a piece
  values = np.repeat(piece_means, 8) + rng.normal(0, 0.01, 64)
  groups = np.repeat(np.arange(8), 8)
  by_crop = intervals.mean(values, seed=1)
  by_piece = intervals.mean(values, groups, seed=1)
  assert by_piece[1] - by_piece[0] > 2 * (by_crop[1] - by_crop[0])
  for low, high in (by_crop, by_piece):
    assert low < values.mean() < high
  # All 8 pieces judged the genre: Wilson with the pieces as its count.
  assert intervals.share([1] * 64, groups) == pytest.approx(
      intervals.proportion(8, 8))


def test_bca_mean_matches_scipy_and_covers_the_truth():
  rng = np.random.default_rng(3)
  values = rng.exponential(1.0, 40)
  expected = stats.bootstrap((values,), np.mean, n_resamples=1000,
                             method='BCa',
                             random_state=np.random.default_rng(5))
  low, high = intervals.mean(values, seed=5)
  # Same method and resamples, resampled by index: close, not identical.
  assert low == pytest.approx(expected.confidence_interval.low, abs=0.08)
  assert high == pytest.approx(expected.confidence_interval.high, abs=0.08)
  covered = sum(
      lo <= 1.0 <= hi for lo, hi in (
          intervals.mean(np.random.default_rng(s).exponential(1.0, 40),
                         seed=s) for s in range(60)))
  assert covered >= 51  # ~95 % nominal


def test_ratio_and_degenerate_sets():
  assert intervals.ratio([0, 0, 0], [5, 5, 5]) == [0.0, 0.0]
  low, high = intervals.ratio([1, 0, 2, 0, 1], [10, 10, 10, 10, 10])
  assert low <= 0.08 <= high
  assert intervals.mean([0.5]) is None and intervals.proportion(0, 0) is None


def test_report_shares_use_them():
  value, interval = report._share([True] * 32)  # pylint: disable=protected-access
  assert value == 1.0 and interval[0] < 0.9
