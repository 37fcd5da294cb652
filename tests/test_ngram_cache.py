"""The n-gram cache: TensorFlow equals its NumPy oracle, mixes, fits, copies."""

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.models import ngram_cache
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import music_transformer

_VOCAB = vocab.GENRE_OFFSET + 3
_GENRE = vocab.GENRE_OFFSET


def _rows(count=3, length=80, seed=0):
  """Genre token, then motifs of 3-20 events repeated and varied, so every
  context length finds earlier occurrences somewhere."""
  rng = np.random.default_rng(seed)
  rows = []
  for _ in range(count):
    row = [_GENRE]
    while len(row) < length:
      motif = rng.integers(vocab.NUM_RESERVED, vocab.NUM_RESERVED + 6,
                           rng.integers(3, 21)).tolist()
      row += motif * int(rng.integers(1, 4))
    rows.append(row[:length])
  return np.array(rows, np.int32)


@pytest.mark.parametrize('fade', [1.0, 0.5])
def test_teacher_forced_distributions_equal_the_oracle(fade):
  rows = _rows()
  distributions = ngram_cache.sequence_distributions(rows, _VOCAB,
                                                     fade).numpy()
  for row, d in zip(rows, distributions):
    want_p, want_h = ngram_cache.reference_probabilities(row, fade)
    np.testing.assert_allclose(d[np.arange(len(row) - 1), :, row[1:]],
                               want_p, atol=1e-6)
    if fade == 1.0:
      np.testing.assert_allclose(d.sum(-1), want_h * 1.0, atol=1e-6)
    else:  # Faded: less than 1 wherever the context came more than once.
      assert (d.sum(-1) <= want_h + 1e-6).all() and (
          d.sum(-1)[want_h] < 1 - 1e-3).any()
  assert distributions[:, :, -1].sum() > 0  # The longest order is reached.


@pytest.mark.parametrize('fade', [1.0, 0.5])
def test_the_samplers_step_equals_teacher_forcing_at_every_position(fade):
  rows = _rows()
  want = ngram_cache.sequence_distributions(rows, _VOCAB, fade).numpy()
  step = tf.function(lambda t: ngram_cache.step_distributions(
      tf.constant(rows), t, _VOCAB, fade))
  for t in range(rows.shape[1] - 1):
    np.testing.assert_allclose(step(tf.constant(t)).numpy(), want[:, t],
                               atol=1e-6)


def test_the_boost_adds_each_orders_distribution_times_its_weight():
  logits = np.log([[0.5, 0.25, 0.25, 1e-9]]).astype(np.float32)
  distributions = np.zeros([1, len(ngram_cache.ORDERS), 4], np.float32)
  distributions[0, 1, 3] = 1.0  # Order 2 saw token 3 follow, always.
  distributions[0, 2, 2:] = 0.5  # Order 3: tokens 2 and 3, once each.
  weights = [0.0] * len(ngram_cache.ORDERS)
  np.testing.assert_allclose(ngram_cache.boost_logits(
      logits, distributions, weights), logits)
  weights[1], weights[2] = 2.0, 1.0
  np.testing.assert_allclose(ngram_cache.boost_logits(
      logits, distributions, weights), logits + [[0, 0, 0.5, 2.5]],
                             rtol=1e-6)


def _nll(model, rows, weights, fade=1.0):
  """The oracle: log-softmax of logits plus the oracle's bonus, per row."""
  logits = model(rows[:, :-1]).numpy().astype(np.float64)
  total, count = 0.0, 0
  for r, row in enumerate(rows):
    for t in range(len(row) - 1):
      if row[t + 1] == vocab.PAD_ID:
        continue
      bonus = np.zeros(_VOCAB)
      for k, weight in zip(ngram_cache.ORDERS, weights):
        following = [row[j + 1] for j in range(k, t)
                     if row[j - k + 1:j + 1].tolist() ==
                     row[t - k + 1:t + 1].tolist()] if t - k >= 0 else []
        for token in following:
          bonus[token] += (weight / len(following) *
                           fade ** (len(following) - 1))
      boosted = logits[r, t] + bonus
      total -= boosted[row[t + 1]] - np.log(np.exp(boosted).sum())
      count += 1
  return total / count


def test_the_boosted_nll_equals_the_oracles_and_the_fit_lowers_it():
  model = music_transformer.MusicTransformer.from_transformer_config(
      configs.get_config('tiny').transformer, _VOCAB)
  rows = _rows(2, 40)
  rows[1, -5:] = vocab.PAD_ID  # PAD targets do not count.
  weights = (0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0)
  data = tf.data.Dataset.from_tensors(rows)
  boosted = likelihood.mean_nll(model, data, weights)
  assert boosted == pytest.approx(_nll(model, rows, weights), rel=1e-5)
  assert likelihood.mean_nll(model, data, weights, 0.5) == pytest.approx(
      _nll(model, rows, weights, 0.5), rel=1e-5)
  fitted, alone, best = ngram_cache.fit_to_music(model, data)
  assert alone == pytest.approx(likelihood.mean_nll(model, data), rel=1e-5)
  assert best == pytest.approx(likelihood.mean_nll(model, data, fitted),
                               rel=1e-4)
  # An untrained model gains from the repeats; the fit gains the most.
  assert best < boosted < alone and sum(fitted) > 1


def test_a_cache_that_never_gives_the_played_token_is_fitted_off():
  """A, x1, A, x2, ... with every x new: the only context seen before is
  A, and what followed it before is never what follows now: weights 0."""
  model = music_transformer.MusicTransformer.from_transformer_config(
      configs.get_config('tiny').transformer, _VOCAB)
  row = [_GENRE] + [token for i in range(30) for token in (
      vocab.NUM_RESERVED, vocab.NUM_RESERVED + 1 + i)]
  data = tf.data.Dataset.from_tensors(np.array([row], np.int32))
  fitted, alone, best = ngram_cache.fit_to_music(model, data)
  assert fitted == (0.0,) * len(ngram_cache.ORDERS) and best == alone


def test_sampling_with_the_cache_continues_a_repeated_phrase():
  """A phrase played twice: with the weight on 16-token contexts, the
  third time follows it (T 0.1: the mixture's most likely token); the
  untrained model alone does not."""
  model = music_transformer.MusicTransformer.from_transformer_config(
      configs.get_config('tiny').transformer, _VOCAB)
  phrase = np.random.default_rng(1).integers(vocab.NUM_RESERVED,
                                             vocab.GENRE_OFFSET, 20)
  prompts = np.concatenate([[_GENRE], phrase, phrase])[None].astype(np.int32)
  weights = (0.0,) * 7 + (20.0,)
  cached = sampling.Sampler(model, temperature=0.1, cache_weights=weights)
  plain = sampling.Sampler(model, temperature=0.1)
  continued = cached.generate(prompts, 20, seed=0)[0, 41:]
  np.testing.assert_array_equal(continued, phrase)
  assert not np.array_equal(plain.generate(prompts, 20, seed=0)[0, 41:],
                            phrase)


@pytest.mark.parametrize('weights', [(0.1,) * 3, (-0.1,) + (0.1,) * 7,
                                     (21.0,) * 8])
def test_bad_cache_weights_name_the_fix(weights):
  with pytest.raises(ValueError, match='one per context length'):
    configs.SamplingConfig(cache_weights=weights)
  with pytest.raises(ValueError, match='numbers from 0 to 20'):
    configs.SamplingConfig(genre_cache_weights=(('folk', weights),))


@pytest.mark.parametrize('fade', [0.0, 1.5])
def test_a_bad_cache_fade_names_the_fix(fade):
  with pytest.raises(ValueError, match=r'fade must be in \(0, 1\]'):
    configs.SamplingConfig(cache_fade=fade)


def test_a_genres_cache_weights_replace_the_default():
  weights = (0.1,) * 8
  decode = configs.SamplingConfig(cache_weights=weights,
                                  genre_cache_weights=(('folk', ()),))
  assert decode.cache_weights_for('classical') == weights
  assert decode.cache_weights_for('folk') == ()
  assert decode.cache_for('folk') == {'cache_weights': (),
                                      'cache_fade': 1.0}
