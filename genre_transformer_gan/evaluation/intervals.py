"""The 95 % intervals of a report's row (evaluation.json `*_interval`).

  proportion(k, n)            Wilson score interval (scipy's binomtest), so
                              32 of 32 gives [0.89, 1.00]: a finite sample
                              never gets a zero-width interval.
  mean(values, groups)        BCa bootstrap (scipy.stats.bootstrap,
                              NUM_RESAMPLES resamples) of the mean.
  ratio(num, den, groups)     BCa bootstrap of sum(num) / sum(den).
  share(indicators, groups)   a proportion of sequences: Wilson when each
                              sequence is its own, else a bootstrap over
                              pieces.

`groups` (a piece id per value, or None: each value its own) makes the
bootstrap resample whole pieces: crops of one real piece are not
independent, and resampling pieces keeps an interval honest about how
many pieces there are. Where every resample gives the same value (all
values equal), a mean's interval is that value and a share's is Wilson's
with the pieces as its count.
"""

from typing import Callable, Optional, Sequence

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
NUM_RESAMPLES = 1000


def proportion(successes: int, count: int) -> Optional[list]:
  """[low, high]: the Wilson score interval of successes / count."""
  if count == 0:
    return None
  interval = stats.binomtest(int(successes), int(count)).proportion_ci(
      CONFIDENCE, method='wilson')
  return [float(interval.low), float(interval.high)]


def _members(values: np.ndarray, groups) -> list:
  """[rows of each group] (each row its own group if groups is None)."""
  if groups is None:
    return [values[i:i + 1] for i in range(len(values))]
  groups = np.asarray(groups)
  return [values[groups == g] for g in np.unique(groups)]


def _bca(values: np.ndarray, statistic: Callable, groups, seed: int):
  """BCa interval of statistic(rows), resampling groups of rows."""
  members = _members(values, groups)
  if len(members) < 2:
    return None
  point = statistic(values)
  if all(np.all(m == values[0]) for m in members):
    return [float(point), float(point)]
  joined = lambda picked: statistic(np.concatenate(
      [members[int(i)] for i in picked]))
  result = stats.bootstrap(
      (np.arange(len(members)),), joined, vectorized=False,
      n_resamples=NUM_RESAMPLES, confidence_level=CONFIDENCE, method='BCa',
      random_state=np.random.default_rng(seed))
  low, high = result.confidence_interval
  if not (np.isfinite(low) and np.isfinite(high)):  # BCa undefined: percentile
    low, high = np.percentile(result.bootstrap_distribution,
                              [2.5, 97.5])
  return [float(min(low, point)), float(max(high, point))]


def mean(values: Sequence[float], groups=None,
         seed: int = 0) -> Optional[list]:
  """[low, high] of the mean of values (None with fewer than 2 groups)."""
  return _bca(np.asarray(values, np.float64), np.mean, groups, seed)


def ratio(numerators: Sequence[float], denominators: Sequence[float],
          groups=None, seed: int = 0) -> Optional[list]:
  """[low, high] of sum(numerators) / sum(denominators)."""
  rows = np.stack([np.asarray(numerators, np.float64),
                   np.asarray(denominators, np.float64)], axis=1)
  statistic = lambda r: r[:, 0].sum() / max(r[:, 1].sum(), 1.0)
  return _bca(rows, statistic, groups, seed)


def share(indicators: Sequence[bool], groups=None,
          seed: int = 0) -> Optional[list]:
  """[low, high] of the share of true indicators (see the module doc)."""
  indicators = np.asarray(indicators, np.float64)
  if groups is None:
    return proportion(int(indicators.sum()), len(indicators))
  pieces = len(np.unique(np.asarray(groups)))
  if np.all(indicators == indicators[0]):
    return proportion(round(indicators[0] * pieces), pieces)
  return _bca(indicators, np.mean, groups, seed)
