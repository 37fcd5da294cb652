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
  model_config = dataclasses.replace(configs.get_config('tiny').transformer,
                                     attention=attention, **overrides)
  return music_transformer.MusicTransformer.from_transformer_config(model_config,
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
  base = configs.get_config('base').transformer
  assert (base.num_layers, base.hidden_size, base.attention_size,
          base.filter_size, base.max_len, base.dropout) == (
              8, 384, 512, 1024, 2048, 0.2)
  assert base.relative_distance == 1024
  with pytest.raises(dataclasses.FrozenInstanceError):
    base.num_layers = 3  # type: ignore[misc]
  with pytest.raises(ValueError, match='tiny, small, base'):
    configs.get_config('huge')


_MATMULS = ('MatMul', 'BatchMatMulV2', 'BatchMatMulV3', 'Einsum')


def _matmul_dtypes(model, inputs_spec):
  """{op type: {dtype names}} of every matmul in the traced forward pass."""
  graph = tf.function(lambda x: model(x, training=True)).get_concrete_function(
      inputs_spec).graph
  found = {}

  def walk(g):
    for op in g.get_operations():
      if op.type in _MATMULS:
        found.setdefault(op.type, set()).add(op.get_attr('T').name)
    for function in g._functions.values():  # pylint: disable=protected-access
      walk(function.graph)

  walk(graph)
  return found


@pytest.mark.parametrize('attention', ['relative', 'absolute'])
def test_mixed_bfloat16_runs_every_matmul_in_bfloat16(attention):
  model = _model(attention)
  mixed = music_transformer.MusicTransformer.from_transformer_config(
      dataclasses.replace(configs.get_config('tiny').transformer,
                          attention=attention), _VOCAB,
      dtype='mixed_bfloat16')
  for spec in (tf.TensorSpec([2, 16], tf.int32),
               tf.TensorSpec([2, 16, _VOCAB], tf.float32)):  # Gumbel inputs
    assert _matmul_dtypes(model, spec) and all(
        d == {'float32'} for d in _matmul_dtypes(model, spec).values())
    found = _matmul_dtypes(mixed, spec)
    assert sum(len(d) for d in found.values()) and all(
        d == {'bfloat16'} for d in found.values()), found
  assert {w.dtype for w in mixed.weights} == {'float32'}
  tokens = np.random.default_rng(0).integers(2, _VOCAB, (2, 16))
  mixed.set_weights(model.get_weights())
  full, low = np.asarray(model(tokens)), np.asarray(mixed(tokens))
  assert low.dtype == np.float32  # logits (and so the loss) in float32
  # bfloat16 keeps ~3 significant digits: close, not equal.
  np.testing.assert_allclose(low, full, atol=0.1)
  assert not np.array_equal(low, full)
  cache = mixed.init_cache(2, 16)
  logits, cache = mixed.call_cached(tokens[:, 0], cache, 0)
  assert logits.dtype == tf.float32
  assert {t.dtype for layer in cache for t in layer} == {tf.bfloat16}
  np.testing.assert_allclose(np.asarray(logits), low[:, 0], atol=0.05)
