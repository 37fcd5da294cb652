"""The n-gram baseline: proper distributions, its formula, sampling, saving."""

import numpy as np
import pytest

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import ngram

_R = vocab.NUM_RESERVED


def _pieces(seed=0, num=20):
  """A repeated phrase with some noise, as event tokens."""
  rng = np.random.default_rng(seed)
  phrase = np.array([60, 300, 188, 62, 300, 190]) + 0
  pieces = []
  for _ in range(num):
    tokens = np.tile(phrase, 10)
    noise = rng.random(len(tokens)) < 0.1
    tokens[noise] = rng.integers(_R, vocab.GENRE_OFFSET, noise.sum())
    pieces.append(tokens)
  return pieces


def test_distributions_are_proper_and_positive():
  model = ngram.NGramModel(order=3).fit(_pieces())
  rng = np.random.default_rng(1)
  for length in range(6):
    history = list(rng.integers(0, vocab.NUM_EVENTS, length))
    p = model.distribution(history)
    assert p.shape == (vocab.NUM_EVENTS,) and np.all(p > 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_matches_the_interpolated_discounting_formula():
  pieces = [np.array([10, 11, 10, 12, 10, 11]) + _R]
  model = ngram.NGramModel(order=2, discount=0.5).fit(pieces)
  uniform = 1.0 / vocab.NUM_EVENTS
  # Unigram counts: 10 x3, 11 x2, 12 x1 (6 tokens, 3 distinct).
  unigram = lambda w: (max({10: 3, 11: 2, 12: 1}.get(w, 0) - 0.5, 0) / 6 +
                       0.5 * 3 / 6 * uniform)
  # After 10: 11 x2, 12 x1 (3 tokens, 2 distinct).
  bigram = lambda w: (max({11: 2, 12: 1}.get(w, 0) - 0.5, 0) / 3 +
                      0.5 * 2 / 3 * unigram(w))
  p = model.distribution([10])
  for w in (10, 11, 12, 200):
    assert p[w] == pytest.approx(bigram(w), rel=1e-12)
  # An unseen context falls back to the unigram.
  assert model.distribution([300])[11] == pytest.approx(unigram(11))


def test_longer_contexts_learn_the_phrase():
  train, test = _pieces(0), _pieces(1, num=5)
  nll = {}
  for order in (1, 3):
    total, count = ngram.NGramModel(order).fit(train).nll(test)
    nll[order] = total / count
  assert nll[1] > np.log(5) and nll[3] < 0.7 * nll[1]


def test_samples_are_seeded_event_tokens():
  model = ngram.NGramModel().fit(_pieces())
  a = model.sample(200, np.random.default_rng(3))
  b = model.sample(200, np.random.default_rng(3))
  np.testing.assert_array_equal(a, b)
  assert a.dtype == np.int32 and len(a) == 200
  assert np.all((a >= _R) & (a < vocab.GENRE_OFFSET))
  # Greedy-ish sampling follows the phrase.
  cold = model.sample(60, np.random.default_rng(0), temperature=0.05)
  assert np.mean(np.isin(cold, [60, 300, 188, 62, 190])) > 0.9


def test_save_and_load_round_trip(tmp_path):
  models = ngram.fit_per_genre({'folk': _pieces(0), 'early': _pieces(2)})
  ngram.save(models, str(tmp_path))
  loaded = ngram.load(str(tmp_path), ['folk'])
  for genre in models:
    np.testing.assert_array_equal(models[genre].distribution([58, 298]),
                                  loaded[genre].distribution([58, 298]))
  with pytest.raises(ValueError, match='have no jazz'):
    ngram.load(str(tmp_path), ['jazz'])
