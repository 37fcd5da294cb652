"""MusicTransformer: cached decoding == full forward; configs.

Soft inputs, causality and saving: tests/test_generators.py (every family).
"""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import music_transformer

_VOCAB = vocab.Vocabulary(['classical', 'folk', 'early']).size


def _model(attention='relative', **overrides):
  model_config = dataclasses.replace(configs.get_config('tiny').model,
                                     attention=attention, **overrides)
  return music_transformer.MusicTransformer.from_model_config(model_config,
                                                              _VOCAB)


@pytest.mark.parametrize('attention,primer_len', [
    ('relative', 0), ('relative', 9), ('absolute', 0), ('absolute', 5)])
def test_cached_logits_equal_full_forward(attention, primer_len):
  """A 64-token free-running rollout, checked at every step."""
  model = _model(attention, max_len=80, max_relative_position=20)
  rng = np.random.default_rng(primer_len)
  total = 64 + primer_len
  tokens = np.zeros((2, total), np.int32)
  tokens[:, 0] = vocab.GENRE_OFFSET + np.array([0, 2])
  tokens[:, 1:primer_len + 1] = rng.integers(2, vocab.GENRE_OFFSET,
                                             (2, primer_len))
  cache = model.init_cache(2, total)
  for t in range(total - 1):
    logits, cache = model.call_cached(tokens[:, t], cache, t)
    if t >= primer_len:  # Free running: sample the next token from the cache.
      probs = tf.nn.softmax(logits).numpy().astype(np.float64)
      tokens[:, t + 1] = [rng.choice(_VOCAB, p=p / p.sum()) for p in probs]
    full = np.asarray(model(tokens[:, :t + 1]))[:, t]
    np.testing.assert_allclose(np.asarray(logits), full, atol=1e-4,
                               err_msg=f'step {t}')


def test_configs():
  assert set(configs.CONFIG_MAP) == {'tiny', 'small', 'base'}
  base = configs.get_config('base').model
  assert (base.num_layers, base.hidden_size, base.attention_size,
          base.filter_size, base.max_len, base.dropout) == (
              8, 384, 512, 1024, 2048, 0.2)
  assert base.relative_distance == 1024
  with pytest.raises(dataclasses.FrozenInstanceError):
    base.num_layers = 3  # type: ignore[misc]
  with pytest.raises(ValueError, match='tiny, small, base'):
    configs.get_config('huge')
