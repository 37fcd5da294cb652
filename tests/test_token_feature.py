"""TokenSequence: int16 storage, int32 reading, equal to the Tensor feature."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import token_feature


def _tokens(seed=0, length=5000, high=420):
  return np.random.default_rng(seed).integers(0, high, length).astype(np.int32)


@pytest.mark.parametrize('length', [0, 1, 5000])
def test_round_trip_equals_the_tensor_feature(length):
  tokens = _tokens(length=length)
  ours = token_feature.TokenSequence()
  reference = tfds.features.Tensor(shape=(None,), dtype=np.int32,
                                   encoding=tfds.features.Encoding.ZLIB)
  for feature in (ours, reference):
    decoded = feature.decode_example(tf.constant(feature.encode_example(tokens)))
    assert decoded.dtype == tf.int32
    np.testing.assert_array_equal(decoded.numpy(), tokens)
  numpy_decoded = ours.decode_example_np(ours.encode_example(tokens))
  assert numpy_decoded.dtype == np.int32
  np.testing.assert_array_equal(numpy_decoded, tokens)
  assert ours.get_tensor_info() == reference.get_tensor_info()


def test_stored_smaller_than_the_tensor_feature():
  # Token streams repeat (time shifts, velocities): use a real-looking one.
  tokens = np.tile(_tokens(length=64, high=40), 100)
  ours = token_feature.TokenSequence().encode_example(tokens)
  reference = tfds.features.Tensor(
      shape=(None,), dtype=np.int32,
      encoding=tfds.features.Encoding.ZLIB).encode_example(tokens)
  assert len(ours) < len(reference)


def test_rejects_what_int16_cannot_hold():
  feature = token_feature.TokenSequence()
  with pytest.raises(ValueError, match='does not fit in int16'):
    feature.encode_example(np.array([1, 40000]))
  with pytest.raises(ValueError, match='1-D integer'):
    feature.encode_example(np.zeros((2, 2), np.int32))
  with pytest.raises(ValueError, match='1-D integer'):
    feature.encode_example(np.array([0.5]))


def test_features_json_round_trip(tmp_path):
  """A dataset's features.json brings the TokenSequence back."""
  features = example_lib.features(['a', 'b'])
  features.save_config(str(tmp_path))
  restored = tfds.features.FeatureConnector.from_config(str(tmp_path))
  assert isinstance(restored['tokens'], token_feature.TokenSequence)
  example = {'tokens': _tokens(length=10), 'genre': 1, 'id': 'x',
             'duration': 1.5, 'num_notes': 3}
  encoded = restored.encode_example(example)
  assert encoded['tokens'] == features.encode_example(example)['tokens']
  legacy = example_lib.features(['a', 'b'], int16_tokens=False)
  assert type(legacy['tokens']) is tfds.features.Tensor  # pylint: disable=unidiomatic-typecheck
