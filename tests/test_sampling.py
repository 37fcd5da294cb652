"""Cached sampling: seeds, primers, greedy == full forward, sliding window."""

import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import music_transformer

_VOCAB = vocab.GENRE_OFFSET + 3


def _model():
  return music_transformer.MusicTransformer.from_model_config(
      configs.get_config('tiny').model, _VOCAB)


def _greedy_next(model, context):
  logits = np.array(model(np.asarray(context)[None]))[0, -1]
  logits[:vocab.NUM_RESERVED] = -np.inf
  logits[vocab.GENRE_OFFSET:] = -np.inf
  return int(np.argmax(logits))


def test_seeded_with_primer_and_event_tokens_only():
  sampler = sampling.Sampler(_model(), top_p=0.95)
  prompts = np.array([[vocab.GENRE_OFFSET, 60, 300],
                      [vocab.GENRE_OFFSET + 2, 70, 310]])
  a = sampler.generate(prompts, 40, seed=1)
  b = sampler.generate(prompts, 40, seed=1)
  c = sampler.generate(prompts, 40, seed=2)
  assert a.shape == (2, 43)
  np.testing.assert_array_equal(a, b)
  assert not np.array_equal(a, c)
  np.testing.assert_array_equal(a[:, :3], prompts)
  assert a[:, 3:].min() >= vocab.NUM_RESERVED
  assert a[:, 3:].max() < vocab.GENRE_OFFSET


def test_greedy_equals_full_forward_argmax():
  model = _model()
  tokens = sampling.generate(model, [[vocab.GENRE_OFFSET + 1, 62]], 30,
                             top_k=1)[0]
  for t in range(2, len(tokens)):
    assert tokens[t] == _greedy_next(model, tokens[:t]), t


def test_sliding_window_beyond_training_length():
  model = _model()
  max_len = model.max_len
  keep = max_len // 2 - 1
  tokens = sampling.generate(model, [[vocab.GENRE_OFFSET]], 2 * max_len,
                             top_k=1)[0]
  assert len(tokens) == 2 * max_len + 1 and tokens[0] == vocab.GENRE_OFFSET
  # The first token after the window filled up is predicted from
  # [genre] + the last `keep` tokens.
  context = np.concatenate([tokens[:1], tokens[max_len - keep:max_len]])
  assert tokens[max_len] == _greedy_next(model, context)
  assert tokens[max_len + 1] == _greedy_next(
      model, np.concatenate([context, tokens[max_len:max_len + 1]]))


def test_filter_logits():
  logits = tf.math.log([[0.5, 0.3, 0.15, 0.05]])
  top_p = sampling.filter_logits(logits, top_p=0.7).numpy()
  assert np.isfinite(top_p[0, :2]).all() and np.isinf(top_p[0, 2:]).all()
  top_p = sampling.filter_logits(logits, top_p=0.1).numpy()
  assert np.isfinite(top_p[0, 0]) and np.isinf(top_p[0, 1:]).all()
  top_k = sampling.filter_logits(logits, top_k=3).numpy()
  assert np.isinf(top_k[0, 3]) and np.isfinite(top_k[0, :3]).all()
  hot = sampling.filter_logits(logits, temperature=0.5).numpy()
  np.testing.assert_allclose(hot, logits.numpy() * 2, rtol=1e-6)
