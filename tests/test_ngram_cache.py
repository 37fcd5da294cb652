"""The n-gram cache: TensorFlow equals its NumPy oracle, mixes, fits, copies."""

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.generation import ngram_cache
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


def test_teacher_forced_probabilities_equal_the_oracle():
  rows = _rows()
  probabilities, hits = ngram_cache.sequence_probabilities(rows)
  for row, p, h in zip(rows, probabilities.numpy(), hits.numpy()):
    want_p, want_h = ngram_cache.reference_probabilities(row)
    np.testing.assert_array_equal(h, want_h)
    np.testing.assert_allclose(p, want_p, atol=1e-6)
  assert hits.numpy()[:, :, -1].any()  # The longest order is reached too.


def test_the_samplers_step_equals_the_oracle_at_every_position():
  rows = _rows()
  step = tf.function(lambda t: ngram_cache.step_distributions(
      tf.constant(rows), t, _VOCAB))
  for t in range(rows.shape[1] - 1):
    distributions, hits = (x.numpy() for x in step(tf.constant(t)))
    for r, row in enumerate(rows):
      want_p, want_h = ngram_cache.reference_probabilities(row)
      np.testing.assert_array_equal(hits[r], want_h[t])
      np.testing.assert_allclose(distributions[r, :, row[t + 1]], want_p[t],
                                 atol=1e-6)
      np.testing.assert_allclose(distributions[r].sum(-1), want_h[t] * 1.0,
                                 atol=1e-6)


def test_the_mixture_keeps_the_model_without_weights_and_adds_a_copy():
  logits = tf.math.log(tf.constant([[0.5, 0.25, 0.25, 0.0]]))
  distributions = np.zeros([1, len(ngram_cache.ORDERS), 4], np.float32)
  distributions[0, 1, 3] = 1.0  # Order 2 saw token 3 follow, always.
  hits = distributions.sum(-1) > 0
  weights = [0.0] * len(ngram_cache.ORDERS)
  np.testing.assert_allclose(tf.exp(ngram_cache.mix_logits(
      logits, distributions, hits, weights)), [[0.5, 0.25, 0.25, 0.0]],
                             atol=1e-6)
  weights[1], weights[5] = 0.4, 0.5  # Order 8 has no hit: left out.
  np.testing.assert_allclose(tf.exp(ngram_cache.mix_logits(
      logits, distributions, hits, weights)), [[0.3, 0.15, 0.15, 0.4]],
                             atol=1e-6)


def test_mixture_losses_equal_the_oracles_mixture():
  model = music_transformer.MusicTransformer.from_transformer_config(
      configs.get_config('tiny').transformer, _VOCAB)
  rows = _rows(2, 40)
  rows[1, -5:] = vocab.PAD_ID  # PAD targets do not count.
  weights = (0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2)
  losses, mask = ngram_cache.mixture_losses(model, rows, weights)
  log_p = tf.nn.log_softmax(model(rows[:, :-1])).numpy()
  for r, row in enumerate(rows):
    p, h = ngram_cache.reference_probabilities(row)
    keep = row[1:] != vocab.PAD_ID
    p_model = np.exp(log_p[r, np.arange(len(row) - 1), row[1:]])
    np.testing.assert_array_equal(mask.numpy()[r], keep)
    assert losses.numpy()[r][keep].mean() == pytest.approx(
        ngram_cache.mixture_nll(p_model[keep], p[keep], h[keep], weights),
        rel=1e-5)
  data = tf.data.Dataset.from_tensors(rows)
  assert likelihood.mean_nll(model, data, weights) == pytest.approx(
      float(tf.reduce_sum(losses) / tf.reduce_sum(mask)), rel=1e-5)
  assert likelihood.mean_nll(model, data, weights) < likelihood.mean_nll(
      model, data)  # An untrained model gains from the repeats.


def test_fitted_weights_lower_the_nll_and_stay_off_when_useless():
  rng = np.random.default_rng(0)
  orders = len(ngram_cache.ORDERS)
  p_model = rng.uniform(0.05, 0.5, 2000)
  hits = rng.uniform(size=(2000, orders)) < 0.5
  informative = np.where(hits, rng.uniform(0.5, 1.0, (2000, orders)), 0.0)
  weights = ngram_cache.fit_weights(p_model, informative, hits)
  assert sum(weights) > 0.3
  assert (ngram_cache.mixture_nll(p_model, informative, hits, weights) <
          ngram_cache.mixture_nll(p_model, informative, hits, ()) - 0.1)
  useless = np.zeros_like(informative)  # It never gives the token played.
  assert ngram_cache.fit_weights(p_model, useless, hits) == (0.0,) * orders


def test_sampling_with_the_cache_continues_a_repeated_phrase():
  """A phrase played twice: with the weight on 16-token contexts, the
  third time follows it (T 0.1: the mixture's most likely token); the
  untrained model alone does not."""
  model = music_transformer.MusicTransformer.from_transformer_config(
      configs.get_config('tiny').transformer, _VOCAB)
  phrase = np.random.default_rng(1).integers(vocab.NUM_RESERVED,
                                             vocab.GENRE_OFFSET, 20)
  prompts = np.concatenate([[_GENRE], phrase, phrase])[None].astype(np.int32)
  weights = (0.0,) * 7 + (0.95,)
  cached = sampling.Sampler(model, temperature=0.1, cache_weights=weights)
  plain = sampling.Sampler(model, temperature=0.1)
  continued = cached.generate(prompts, 20, seed=0)[0, 41:]
  np.testing.assert_array_equal(continued, phrase)
  assert not np.array_equal(plain.generate(prompts, 20, seed=0)[0, 41:],
                            phrase)


@pytest.mark.parametrize('weights', [(0.1,) * 3, (-0.1,) + (0.1,) * 7,
                                     (0.2,) * 8])
def test_bad_cache_weights_name_the_fix(weights):
  with pytest.raises(ValueError, match='one per context length'):
    configs.SamplingConfig(cache_weights=weights)
  with pytest.raises(ValueError, match='summing to at most'):
    configs.SamplingConfig(genre_cache_weights=(('folk', weights),))


def test_a_genres_cache_weights_replace_the_default():
  weights = (0.1,) * 8
  decode = configs.SamplingConfig(cache_weights=weights,
                                  genre_cache_weights=(('folk', ()),))
  assert decode.cache_weights_for('classical') == weights
  assert decode.cache_weights_for('folk') == ()
