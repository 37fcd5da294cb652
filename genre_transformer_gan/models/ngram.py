"""The "simple probabilities" baseline: a smoothed n-gram model per genre.

Over the same event tokens as the neural generators (vocabulary.py), one
model per genre, trained by counting. Smoothing is interpolated absolute
discounting down to a uniform distribution over the 388 events:

  P_k(w | h_k) = max(c(h_k, w) - D, 0) / c(h_k)
                 + D * N(h_k) / c(h_k) * P_{k-1}(w | h_{k-1})

where h_k is the last k tokens, c(h_k) the count of h_k as a context,
N(h_k) the number of distinct tokens seen after it, P_{-1} uniform; an
unseen context passes P_{k-1} through. Every P is a proper distribution
over the events, so its NLL compares with the neural models'. A piece's
first tokens see shorter contexts (no padding token).

It generates and is evaluated like the others; it has no adversarial stage.
"""

import collections
import os
from typing import Dict, Iterable, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import vocabulary as vocab

MODEL_FILE = 'ngram.json'


def _events(tokens) -> list:
  """Event indices (token - NUM_RESERVED) of the event tokens in `tokens`."""
  return [int(t) - vocab.NUM_RESERVED for t in tokens
          if vocab.NUM_RESERVED <= t < vocab.GENRE_OFFSET]


class NGramModel:
  """An order-n interpolated absolute-discounting model over event tokens.

  Args:
    order: n (the context is the last n - 1 tokens).
    discount: D in (0, 1).
  """

  def __init__(self, order: int = 3, discount: float = 0.75):
    if order < 1 or not 0 < discount < 1:
      raise ValueError('order must be >= 1 and discount in (0, 1).')
    self.order = order
    self.discount = discount
    # tables[k]: {context tuple of length k: (next event ids, counts)}
    self.tables = [dict() for _ in range(order)]

  def fit(self, pieces: Iterable[np.ndarray]) -> 'NGramModel':
    """Counts every event token of `pieces` after each of its contexts."""
    counters = [collections.defaultdict(collections.Counter)
                for _ in range(self.order)]
    for tokens in pieces:
      events = _events(tokens)
      for i, event in enumerate(events):
        for k in range(min(self.order, i + 1)):
          counters[k][tuple(events[i - k:i])][event] += 1
    self.tables = [
        {context: (np.array(list(counts), np.int64),
                   np.array(list(counts.values()), np.float64))
         for context, counts in counter.items()}
        for counter in counters]
    return self

  def distribution(self, history: Sequence[int]) -> np.ndarray:
    """float64 [388] P(next event | the last order-1 events of history).

    Args:
      history: earlier event indices (token - NUM_RESERVED), oldest first.
    """
    probabilities = np.full(vocab.NUM_EVENTS, 1.0 / vocab.NUM_EVENTS)
    history = tuple(history[max(0, len(history) - self.order + 1):])
    for k in range(self.order):
      if k > len(history):
        break
      entry = self.tables[k].get(history[len(history) - k:])
      if entry is None:
        continue
      ids, counts = entry
      total = counts.sum()
      probabilities *= self.discount * len(ids) / total
      probabilities[ids] += np.maximum(counts - self.discount, 0) / total
    return probabilities

  def nll(self, pieces: Iterable[np.ndarray]) -> Tuple[float, int]:
    """(total NLL in nats, token count) of the event tokens of `pieces`."""
    total, count = 0.0, 0
    for tokens in pieces:
      events = _events(tokens)
      for i, event in enumerate(events):
        total -= np.log(self.distribution(events[:i])[event])
        count += 1
    return total, count

  def sample(self, num_tokens: int, rng: np.random.Generator,
             temperature: float = 1.0) -> np.ndarray:
    """int32 [num_tokens] event tokens drawn from the model."""
    events = []
    for _ in range(num_tokens):
      probabilities = self.distribution(events)
      if temperature != 1.0:
        probabilities = probabilities ** (1.0 / temperature)
      probabilities /= probabilities.sum()
      events.append(int(rng.choice(vocab.NUM_EVENTS, p=probabilities)))
    return np.array(events, np.int32) + vocab.NUM_RESERVED

  def to_json(self) -> dict:
    return {'order': self.order, 'discount': self.discount,
            'tables': [[[list(context), ids.tolist(), counts.tolist()]
                        for context, (ids, counts) in table.items()]
                       for table in self.tables]}

  @classmethod
  def from_json(cls, data: dict) -> 'NGramModel':
    model = cls(data['order'], data['discount'])
    model.tables = [{tuple(context): (np.array(ids, np.int64),
                                      np.array(counts, np.float64))
                     for context, ids, counts in table}
                    for table in data['tables']]
    return model


def fit_per_genre(pieces_by_genre: Dict[str, Iterable[np.ndarray]],
                  order: int = 3, discount: float = 0.75
                  ) -> Dict[str, NGramModel]:
  """{genre: NGramModel fitted on that genre's pieces}."""
  return {genre: NGramModel(order, discount).fit(pieces)
          for genre, pieces in pieces_by_genre.items()}


def save(models: Dict[str, NGramModel], directory: str) -> None:
  tf.io.gfile.makedirs(directory)
  atomic_files.write_json(os.path.join(directory, MODEL_FILE), {
      genre: model.to_json() for genre, model in models.items()}, indent=None)


def load(directory: str,
         genres: Optional[Sequence[str]] = None) -> Dict[str, NGramModel]:
  """The per-genre models saved in `directory`; checks `genres` are there."""
  path = os.path.join(directory, MODEL_FILE)
  if not tf.io.gfile.exists(path):
    raise FileNotFoundError(f'No n-gram models at {directory}.')
  what, fix = 'set of n-gram models', 'fit and save them again'
  try:
    models = {genre: NGramModel.from_json(data) for genre, data in
              atomic_files.read_json(path, what, fix).items()}
  except (KeyError, TypeError) as e:
    raise ValueError(f'{path} is not a readable {what} ({type(e).__name__}: '
                     f'{e}); {fix}.') from None
  missing = [g for g in genres or () if g not in models]
  if missing:
    raise ValueError(f'The n-gram models at {directory} have no '
                     f'{", ".join(missing)} (they have '
                     f'{", ".join(models)}).')
  return models
