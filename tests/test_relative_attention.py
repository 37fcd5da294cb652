"""RelativeMultiHeadAttention: skew == explicit gather, causal, serializable."""

import keras
import numpy as np
import pytest

from genre_transformer_gan.models import relative_attention
from genre_transformer_gan.models import transformer_block


def _naive_attention(layer, x):
  """O(L^2.D) reference: gathers e_(j-i) for every (i, j) pair explicitly."""
  w = {v.path.split('/')[-1]: np.asarray(v) for v in layer.weights}
  q = np.einsum('bld,dhk->bhlk', x, w['query']) * layer.key_dim**-0.5
  k = np.einsum('bld,dhk->bhlk', x, w['key'])
  v = np.einsum('bld,dhk->bhlk', x, w['value'])
  length = x.shape[1]
  logits = np.einsum('bhik,bhjk->bhij', q, k)
  if layer.relative:
    distance = np.arange(length)[:, None] - np.arange(length)[None, :]
    index = np.clip(distance, 0, layer.max_relative_position)
    pair_embeddings = w['relative_embeddings'][:, index]  # [H, L, L, k]
    logits = logits + np.einsum('bhik,hijk->bhij', q, pair_embeddings)
  logits = np.where(np.tril(np.ones((length, length), bool)), logits, -1e9)
  weights = np.exp(logits - logits.max(-1, keepdims=True))
  weights /= weights.sum(-1, keepdims=True)
  heads = np.einsum('bhij,bhjk->bhik', weights, v)
  return np.einsum('bhik,hkd->bid', heads, w['output'])


@pytest.mark.parametrize('batch,length,heads,max_distance', [
    (1, 1, 1, 4), (2, 5, 3, 8), (1, 16, 2, 4), (3, 33, 4, 16), (2, 24, 1, 64)])
def test_skew_equals_naive_gather(batch, length, heads, max_distance):
  rng = np.random.default_rng(length)
  layer = relative_attention.RelativeMultiHeadAttention(
      heads, key_dim=8, max_relative_position=max_distance)
  x = rng.normal(size=(batch, length, 12)).astype(np.float32)
  out = np.asarray(layer(x))
  np.testing.assert_allclose(out, _naive_attention(layer, x), atol=1e-5)


def test_plain_variant_equals_naive():
  layer = relative_attention.RelativeMultiHeadAttention(
      2, key_dim=8, max_relative_position=4, relative=False)
  x = np.random.default_rng(0).normal(size=(2, 10, 12)).astype(np.float32)
  np.testing.assert_allclose(np.asarray(layer(x)), _naive_attention(layer, x),
                             atol=1e-5)
  assert sorted(v.name for v in layer.weights) == [
      'key', 'output', 'query', 'value']


def test_skew_layout():
  length = 4
  rel = np.arange(length * length, dtype=np.float32).reshape(1, 1, length,
                                                             length)
  skewed = np.asarray(relative_attention.skew(rel))[0, 0]
  for i in range(length):
    for j in range(i + 1):
      assert skewed[i, j] == rel[0, 0, i, j - i + length - 1]


def test_causal():
  layer = relative_attention.RelativeMultiHeadAttention(
      2, key_dim=8, max_relative_position=8)
  x = np.random.default_rng(1).normal(size=(1, 12, 16)).astype(np.float32)
  changed = x.copy()
  changed[:, 7:] += 5.0
  a, b = np.asarray(layer(x)), np.asarray(layer(changed))
  np.testing.assert_allclose(a[:, :7], b[:, :7], atol=1e-6)
  assert np.abs(a[:, 7:] - b[:, 7:]).max() > 1e-3


def _assert_config_and_saving_round_trip(layer, width, path):
  clone = type(layer).from_config(layer.get_config())
  assert clone.get_config() == layer.get_config()
  inputs = keras.Input((None, width))
  model = keras.Model(inputs, layer(inputs))
  x = np.random.default_rng(2).normal(size=(2, 9, width)).astype(np.float32)
  model.save(path)
  loaded = keras.saving.load_model(path)
  np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)),
                             atol=1e-6)


def test_config_and_saving_round_trip(tmp_path):
  _assert_config_and_saving_round_trip(
      relative_attention.RelativeMultiHeadAttention(
          3, key_dim=4, max_relative_position=6, dropout=0.1, name='attn'),
      12, tmp_path / 'attention.keras')


def test_transformer_block_config_and_saving(tmp_path):
  _assert_config_and_saving_round_trip(
      transformer_block.TransformerBlock(
          num_heads=2, key_dim=4, filter_size=16, max_relative_position=5,
          dropout=0.1, name='block'),
      8, tmp_path / 'block.keras')
