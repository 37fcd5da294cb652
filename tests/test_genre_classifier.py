"""GenreClassifier: soft inputs, masking, save/load, freezing, loading checks."""

import json
import os
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.models import music_transformer

GENRES = ('classical', 'folk', 'early')
VOCAB = vocab.Vocabulary(GENRES)


def _classifier(genres=GENRES, seed=0, **kwargs):
  keras.utils.set_random_seed(seed)
  return genre_classifier.GenreClassifier(
      VOCAB.size, genres, embedding_size=16, filters=16, kernel_size=3,
      dilations=(1, 2), dropout=0.1, vocabulary_genres=GENRES, **kwargs)


def _events(batch, length, seed=0):
  rng = np.random.default_rng(seed)
  return rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                      size=[batch, length]).astype(np.int32)


def test_one_hot_inputs_give_the_int_logits():
  classifier = _classifier()
  tokens = _events(3, 20)
  logits = classifier(tokens)
  soft = classifier(tf.one_hot(tokens, VOCAB.size))
  assert logits.shape == (3, len(GENRES))
  np.testing.assert_allclose(soft, logits, atol=1e-5)


def test_pad_eos_and_genre_tokens_are_ignored():
  classifier = _classifier()
  tokens = _events(2, 12)
  decorated = np.concatenate([
      np.full([2, 1], VOCAB.genre_token('folk')), tokens,
      np.full([2, 1], vocab.EOS_ID), np.zeros([2, 5], np.int32)], axis=1)
  # Only the positions' neighbours in the convolutions could differ: compare
  # with the events shifted by one and the specials masked to zero.
  np.testing.assert_allclose(
      classifier(decorated), classifier(np.pad(tokens, [[0, 0], [1, 6]])),
      atol=1e-5)
  changed = decorated.copy()
  changed[:, 0] = VOCAB.genre_token('classical')
  np.testing.assert_allclose(classifier(changed), classifier(decorated),
                             atol=1e-6)


def test_batched_scores_equal_one_call_per_sequence_and_trace_once():
  classifier = genre_classifier.freeze(_classifier())
  sequences = [_events(1, length, seed=length)[0] for length in (5, 40, 17)]
  alone = np.concatenate([
      tf.nn.log_softmax(classifier(s[None], training=False)).numpy()
      for s in sequences])
  batched = genre_classifier.log_probabilities(classifier, sequences,
                                               batch_size=2)
  np.testing.assert_allclose(batched, alone, atol=1e-5)
  np.testing.assert_allclose(
      genre_classifier.probabilities(classifier, sequences[::-1]),
      np.exp(alone[::-1]), atol=1e-5)
  scorer = genre_classifier.scorer(classifier)
  assert scorer.experimental_get_tracing_count() == 1
  assert genre_classifier.log_probabilities(classifier, []).shape == (0, 3)


def test_config_and_keras_file_round_trip(tmp_path):
  classifier = _classifier()
  clone = genre_classifier.GenreClassifier.from_config(
      classifier.get_config())
  assert clone.get_config() == classifier.get_config()
  path = str(tmp_path / 'c.keras')
  classifier.save(path)
  loaded = keras.saving.load_model(path)
  assert isinstance(loaded, genre_classifier.GenreClassifier)
  assert loaded.genres == GENRES and loaded.vocab_size == VOCAB.size
  tokens = _events(2, 30)
  np.testing.assert_array_equal(loaded(tokens), classifier(tokens))


def test_frozen_classifier_passes_gradients_but_never_changes():
  """A generator step through Gumbel-softmax samples leaves it bit-identical."""
  keras.utils.set_random_seed(1)
  generator = music_transformer.MusicTransformer(
      VOCAB.size, num_layers=1, hidden_size=16, num_heads=2,
      attention_size=16, filter_size=32, max_len=16, dropout=0.0)
  classifier = genre_classifier.freeze(_classifier())
  assert classifier.trainable_variables == []
  before = [v.numpy().copy() for v in classifier.variables]
  generator_before = [v.numpy().copy() for v in generator.trainable_variables]
  optimizer = keras.optimizers.Adam(1e-2)
  prompt = np.full([4, 8], VOCAB.genre_token('folk'), np.int32)
  prompt[:, 1:] = _events(4, 7)
  target = tf.fill([4], GENRES.index('folk'))
  with tf.GradientTape() as tape:
    logits = generator(prompt)
    gumbel = -tf.math.log(-tf.math.log(
        tf.random.uniform(tf.shape(logits), 1e-9, 1.0, seed=3)))
    samples = tf.nn.softmax((logits + gumbel) / 0.5)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        target, classifier(samples, training=False)))
  # What a trainer optimises: every trainable variable in sight. Frozen, the
  # classifier contributes none (unfrozen it would: see the end).
  variables = generator.trainable_variables + classifier.trainable_variables
  gradients = tape.gradient(loss, variables)
  embedding = variables.index(generator.embedding.embeddings)
  assert np.abs(tf.convert_to_tensor(gradients[embedding]).numpy()).sum() > 0
  optimizer.apply_gradients(zip(gradients, variables))
  for value, variable in zip(before, classifier.variables):
    np.testing.assert_array_equal(value, variable.numpy())
  assert any(not np.array_equal(b, v.numpy()) for b, v in
             zip(generator_before, generator.trainable_variables))
  assert _classifier().trainable_variables  # Not frozen: would be updated.


def test_save_and_load_check_vocabulary_and_genres(tmp_path):
  classifier = _classifier(genres=('classical', 'folk'))
  directory = str(tmp_path / 'clf')
  os.makedirs(directory)
  assert not classifier_io.exists(directory)  # An empty folder is none.
  classifier_io.save_classifier(classifier, directory, {'dataset': 'x'})
  assert classifier_io.exists(directory) and classifier_io.exists(
      os.path.join(directory, classifier_io.MODEL_FILE))
  with open(os.path.join(directory, classifier_io.INFO_FILE)) as f:
    info = json.load(f)
  assert info['genres'] == ['classical', 'folk']
  assert info['vocabulary_genres'] == list(GENRES)
  loaded = classifier_io.load_classifier(directory, GENRES, ['folk'])
  assert not loaded.trainable_variables
  tokens = _events(2, 10)
  np.testing.assert_array_equal(loaded(tokens), classifier(tokens))

  with pytest.raises(ValueError, match='genre_classifier_train'):
    classifier_io.load_classifier(directory, ('rock', 'jazz', 'pop'))
  with pytest.raises(ValueError, match='does not know genre.*early'):
    classifier_io.load_classifier(directory, GENRES, ['early'])
  with pytest.raises(FileNotFoundError, match='genre_classifier_train'):
    classifier_io.load_classifier(str(tmp_path / 'nothing'))
  info['vocabulary']['num_velocity_bins'] = 16
  with open(os.path.join(directory, classifier_io.INFO_FILE), 'w') as f:
    json.dump(info, f)
  with pytest.raises(ValueError, match='token layout'):
    classifier_io.load_classifier(directory)


def test_a_bad_or_crafted_classifier_file_is_refused_in_one_line(tmp_path):
  # The lambda writes this file when it runs (no closure: Keras stores it).
  marker = pathlib.Path('/tmp/genre_classifier_lambda_ran')
  crafted = keras.Sequential([keras.Input([4]), keras.layers.Lambda(
      lambda x: x + 0 * len(open(  # pylint: disable=consider-using-with
          '/tmp/genre_classifier_lambda_ran', 'w').name))])
  marker.unlink(missing_ok=True)  # building it ran the lambda once
  (tmp_path / 'lambda').mkdir()
  crafted.save(tmp_path / 'lambda' / classifier_io.MODEL_FILE)
  marker.unlink(missing_ok=True)
  (tmp_path / 'garbage').mkdir()
  (tmp_path / 'garbage' / classifier_io.MODEL_FILE).write_bytes(b'PK\x03\x04')
  for folder in ('lambda', 'garbage'):
    with pytest.raises(ValueError, match='not a readable genre classifier'):
      classifier_io.load_classifier(str(tmp_path / folder))
  assert not marker.exists()
