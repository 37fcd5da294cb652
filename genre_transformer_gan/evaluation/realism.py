"""Realism, independent of genre: is a set of sequences like real music?

Two measures compare a set S (samples, or a negative, or real music) with a
reference R of held-out real music of the genre, on the evaluator's features
(features.py):

* **C2ST**, the classifier two-sample test (Lopez-Paz & Oquab, 2017): a
  fresh classifier (a random forest: with a few dozen rows per side it was
  the steadiest of gradient-boosted trees, logistic regression and forests,
  BENCHMARKS.md) is cross-validated to tell S from R, with equal numbers of
  each. Its out-of-fold accuracy is 0.5 when S and R cannot be told apart
  and 1.0 when they always can. Crops of one real piece share a fold
  (grouped folds), so the test cannot win by recognising pieces; with few
  pieces that can push real-vs-real below 0.5.
* **Fréchet distance** between Gaussians fitted to the standardised
  features of S and R (as FID does with an embedding):
  ||mu_S - mu_R||^2 + Tr(C_S + C_R - 2 (C_S C_R)^(1/2)).
  The covariances are Ledoit-Wolf shrinkage estimates (scikit-learn's
  `LedoitWolf`): 68 features from 16-64 rows make the sample covariance
  rank-deficient, which inflates the distance of two sets of real music.
  `covariance='sample'` keeps the plain estimate (reports before
  2026-12-02 used it). The distance is still biased upwards for small
  sets, so compare it with the real-vs-real row of the same report.

Intervals (95 %): percentile bootstraps over the out-of-fold predictions
for C2ST and over sequences for shares; for the Fréchet distance the
estimate +- 1.96 bootstrap standard errors (resampling both sets).
"""

from typing import Callable, Optional, Sequence

import numpy as np
from scipy import linalg
from sklearn import covariance as sk_covariance
from sklearn import ensemble
from sklearn import model_selection

from genre_transformer_gan.evaluation import threads

NUM_BOOTSTRAP = 200
NUM_FOLDS = 5
C2ST_TREES = 100
COVARIANCES = ('ledoit_wolf', 'sample')


def bootstrap_interval(values: np.ndarray, statistic: Callable = np.mean,
                       num_bootstrap: int = NUM_BOOTSTRAP,
                       seed: int = 0) -> list:
  """[low, high] 95 % percentile interval of statistic(values) over rows."""
  values = np.asarray(values)
  if len(values) == 0:
    return [float('nan'), float('nan')]
  rng = np.random.default_rng(seed)
  stats = [statistic(values[rng.integers(0, len(values), len(values))])
           for _ in range(num_bootstrap)]
  return [float(np.percentile(stats, 2.5)), float(np.percentile(stats, 97.5))]


def _group_ids(groups, count) -> np.ndarray:
  """int [count] group indices in 0..count-1 (each row its own if None)."""
  if groups is None:
    return np.arange(count)
  return np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1)


def c2st(samples: np.ndarray, reference: np.ndarray,
         reference_groups: Optional[Sequence] = None,
         sample_groups: Optional[Sequence] = None, seed: int = 0) -> dict:
  """Classifier two-sample test of feature rows [N, F] against [M, F].

  Args:
    samples: features of the set to judge.
    reference: features of real music.
    reference_groups, sample_groups: a piece id per row (rows of one piece
      stay in one fold); None: each row its own group.
    seed: subsampling, folds and the classifier.

  Returns:
    {'accuracy', 'interval', 'n'} (n: rows per side), or accuracy None when
    either side has fewer than NUM_FOLDS rows, or all of one side's rows
    form one group (one real piece's crops: its fold would hold every row
    of that side and the forest would be fitted without any, reading 0.5
    whatever the rows are). With fewer than NUM_FOLDS groups, as many folds
    as groups.
  """
  n, x, y, fitted = c2st_folds(samples, reference, reference_groups,
                               sample_groups, seed)
  if not fitted:
    return {'accuracy': None, 'interval': None, 'n': n}
  correct = np.zeros(2 * n)
  for model, test in fitted:
    correct[test] = model.predict(x[test]) == y[test]
  return {'accuracy': float(correct.mean()),
          'interval': bootstrap_interval(correct, seed=seed), 'n': int(n)}


def c2st_folds(samples: np.ndarray, reference: np.ndarray,
               reference_groups: Optional[Sequence] = None,
               sample_groups: Optional[Sequence] = None, seed: int = 0):
  """The out-of-fold setup of `c2st` (same arguments), for it and for
  whoever asks what its classifiers rely on (bench/bench_c2st_features.py).

  Returns:
    (n rows per side, x float [2n, F] (samples then reference, subsampled
    to n each), y [2n] (1: sample), [(forest fitted on the other folds,
    int indices of its held-out fold)]); the list is empty (and x, y None
    when n < NUM_FOLDS) where c2st gives no accuracy.
  """
  rng = np.random.default_rng(seed)
  n = min(len(samples), len(reference))
  if n < NUM_FOLDS:
    return n, None, None, []
  pick_s = rng.permutation(len(samples))[:n]
  pick_r = rng.permutation(len(reference))[:n]
  x = np.concatenate([samples[pick_s], reference[pick_r]])
  y = np.concatenate([np.ones(n), np.zeros(n)])
  groups = np.concatenate([_group_ids(sample_groups, len(samples))[pick_s],
                           _group_ids(reference_groups, len(reference))[pick_r]
                           + len(samples)])
  # Few pieces (a small dataset's held-out split): fewer folds, each still
  # one piece's crops together; a side of one group cannot be judged.
  num_folds = min(NUM_FOLDS, len(np.unique(groups)))
  if min(len(np.unique(groups[:n])), len(np.unique(groups[n:]))) < 2:
    return n, x, y, []
  folds = model_selection.GroupKFold(n_splits=num_folds, shuffle=True,
                                     random_state=seed)
  return n, x, y, [(ensemble.RandomForestClassifier(
      n_estimators=C2ST_TREES, min_samples_leaf=2,
      random_state=seed).fit(x[train], y[train]), test)
                   for train, test in folds.split(x, y, groups)]


def ledoit_wolf(rows: np.ndarray) -> np.ndarray:
  """[F, F]: sklearn's `LedoitWolf().fit(rows).covariance_` (1/N, rows
  centred) for rows [N, F], in closed form without its per-call checks
  (the Fréchet bootstrap fits 402 per report row; BENCHMARKS.md, "The
  Fréchet distance with shrinkage", times both).
  `sklearn.covariance.ledoit_wolf_shrinkage` is the formula; tests hold
  the two equal."""
  x = np.asarray(rows, np.float64)
  if x.ndim != 2 or x.shape[1] < 2:  # sklearn's own one-feature case.
    return np.atleast_2d(sk_covariance.LedoitWolf().fit(
        x.reshape(len(x), -1)).covariance_)
  x = x - x.mean(0)
  n, p = x.shape
  emp = x.T @ x / n
  trace = np.trace(emp)
  mu = trace / p
  x2 = x ** 2
  delta_ = np.sum(emp ** 2)  # sum((X^T X)^2) / n^2
  beta = (np.sum(x2.T @ x2) / n - delta_) / (p * n)
  delta = (delta_ - 2.0 * mu * trace + p * mu ** 2) / p
  beta = min(beta, delta)
  shrinkage = 0.0 if beta == 0 else beta / delta
  shrunk = (1.0 - shrinkage) * emp
  shrunk.flat[::p + 1] += shrinkage * mu
  return shrunk


def _covariance(rows: np.ndarray, estimator: str) -> np.ndarray:
  """[F, F] covariance of rows [N, F] by 'ledoit_wolf' or 'sample'."""
  if estimator == 'sample':
    return np.atleast_2d(np.cov(rows, rowvar=False))
  if estimator == 'ledoit_wolf':
    # Ledoit-Wolf's estimate uses 1/N, rescaled here to the unbiased
    # 1/(N - 1).
    return ledoit_wolf(rows) * len(rows) / max(len(rows) - 1, 1)
  raise ValueError(f'Unknown covariance {estimator!r}; use one of '
                   f'{", ".join(COVARIANCES)}.')


def frechet_distance(a: np.ndarray, b: np.ndarray,
                     covariance: str = 'ledoit_wolf') -> float:
  """Fréchet distance of Gaussians fitted to rows of a [N, F] and b [M, F].

  covariance: 'ledoit_wolf' (shrinkage; the default) or 'sample'.
  """
  mean_a, mean_b = a.mean(0), b.mean(0)
  cov_a, cov_b = _covariance(a, covariance), _covariance(b, covariance)
  # Tr((C_a C_b)^(1/2)) is the sum of the roots of C_a C_b's eigenvalues,
  # which are those of the symmetric PSD matrix S^T C_b S for any S with
  # S S^T = C_a: its Cholesky factor (Ledoit-Wolf's estimate is positive
  # definite), else C_a^(1/2) (a rank-deficient sample covariance).
  try:
    root_a = linalg.cholesky(cov_a, lower=True)
  except linalg.LinAlgError:
    values, vectors = linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
  middle = linalg.eigvalsh(root_a.T @ cov_b @ root_a)
  value = (np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) +
           np.trace(cov_b) - 2.0 * np.sum(np.sqrt(np.clip(middle, 0.0, None))))
  return float(max(value, 0.0))


def frechet(samples: np.ndarray, reference: np.ndarray, mean: np.ndarray,
            scale: np.ndarray, seed: int = 0,
            num_bootstrap: int = NUM_BOOTSTRAP,
            covariance: str = 'ledoit_wolf') -> dict:
  """{'distance', 'interval'} on features standardised by (mean, scale)."""
  if len(samples) < 2 or len(reference) < 2:
    return {'distance': None, 'interval': None}
  a = (samples - mean) / scale
  b = (reference - mean) / scale
  rng = np.random.default_rng(seed)
  with threads.one_thread():
    stats = [frechet_distance(a[rng.integers(0, len(a), len(a))],
                              b[rng.integers(0, len(b), len(b))], covariance)
             for _ in range(num_bootstrap)]
    # The bootstrap's spread, around the estimate: resampled sets repeat
    # rows, which changes Ledoit-Wolf's shrinkage, so their distances are
    # shifted (at 24 rows the percentile interval can miss the estimate).
    distance = frechet_distance(a, b, covariance)
  spread = 1.96 * float(np.std(stats, ddof=1))
  return {'distance': distance,
          'interval': [max(distance - spread, 0.0), distance + spread]}
