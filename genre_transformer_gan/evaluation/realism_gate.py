"""The evaluator's realism gate: is a sequence like real music of a genre?

Features are standardised by the real training crops' mean and standard
deviation; the gate distance of a sequence to genre G is its Euclidean
distance to the `neighbours`-th nearest real training crop of G, and G's
threshold a quantile of that distance for held-out real crops of G
(evaluator.py's module docstring has the whole rule). Stored as plain
arrays (`to_arrays` / `from_arrays`), so a saved evaluator holds no object
that loading would have to trust.
"""

from absl import logging
import numpy as np
from sklearn import neighbors

from genre_transformer_gan.evaluation import threads

# Standard deviations below this (features that hardly vary in real music,
# e.g. never-closed notes) are raised to it, so that a sequence is not
# rejected for a difference no listener would hear.
MIN_SCALE = 0.02


class RealismGate:
  """Per genre: distance to the k-th nearest real training crop, threshold.

  Args:
    real: float [N, F] features of real training crops.
    labels: int [N] genre index of each.
    num_genres: G.
    neighbours: k.
  """

  def __init__(self, real, labels, num_genres: int, neighbours: int = 5):
    self.mean = real.mean(0)
    self.scale = np.maximum(real.std(0), MIN_SCALE)
    self.neighbours = neighbours
    self.index = []
    for genre in range(num_genres):
      rows = self.standardize(real[labels == genre])
      self.index.append(neighbors.NearestNeighbors(
          n_neighbors=min(neighbours, len(rows))).fit(rows))
    self.thresholds = np.full(num_genres, np.inf)

  def standardize(self, matrix):
    return (np.asarray(matrix, np.float64) - self.mean) / self.scale

  def distances(self, matrix) -> np.ndarray:
    """float [N, G]: distance to the k-th nearest real crop of each genre."""
    scaled = self.standardize(matrix)
    if not len(scaled):
      return np.zeros([0, len(self.index)])
    with threads.one_thread():
      return np.stack([index.kneighbors(scaled)[0][:, -1]
                       for index in self.index], axis=1)

  def calibrate(self, matrix, labels, quantile: float) -> None:
    """Sets each genre's threshold from held-out real crops of it."""
    distances = self.distances(matrix)
    for genre in range(len(self.index)):
      own = distances[labels == genre, genre]
      if len(own):
        self.thresholds[genre] = float(np.quantile(own, quantile))
      else:
        logging.warning('No held-out crops of genre %d: its realism gate is '
                        'off.', genre)

  def passes(self, matrix) -> np.ndarray:
    """bool [N, G]: within each genre's threshold."""
    return self.distances(matrix) <= self.thresholds

  def to_arrays(self) -> dict:
    """The gate as plain values: what `from_arrays` rebuilds it from."""
    return {'mean': self.mean, 'scale': self.scale,
            'neighbours': int(self.neighbours),
            'thresholds': self.thresholds,
            'rows': [np.asarray(index._fit_X) for index in self.index]}  # pylint: disable=protected-access

  @classmethod
  def from_arrays(cls, arrays: dict) -> 'RealismGate':
    """The gate of `to_arrays`, its neighbour indexes fitted again."""
    gate = cls.__new__(cls)
    gate.mean = np.asarray(arrays['mean'], np.float64)
    gate.scale = np.asarray(arrays['scale'], np.float64)
    gate.neighbours = int(arrays['neighbours'])
    gate.thresholds = np.asarray(arrays['thresholds'], np.float64)
    gate.index = [neighbors.NearestNeighbors(
        n_neighbors=min(gate.neighbours, len(rows))).fit(rows)
                  for rows in arrays['rows']]
    return gate
