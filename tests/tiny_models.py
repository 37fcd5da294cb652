"""Tiny models and data that several test files train on (no real music)."""

import contextlib
import dataclasses
import gc
import os
import weakref

import keras
import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.models import music_transformer
from genre_transformer_gan.training import checkpointing
from genre_transformer_gan.training import mle

GENRES = ('classical', 'folk', 'early')
VOCAB = vocab.Vocabulary(GENRES)
VOCAB_SIZE = VOCAB.size  # == vocab.GENRE_OFFSET + 3


def generator(seed=0):
  keras.utils.set_random_seed(seed)
  return music_transformer.MusicTransformer(
      VOCAB.size, num_layers=2, hidden_size=16, num_heads=2,
      attention_size=16, filter_size=32, max_len=32, dropout=0.0)


def classifier(seed=1, generated_class=False):
  """A tiny genre classifier; generated_class: with the K+1-th class."""
  keras.utils.set_random_seed(seed)
  classes = GENRES + ((genre_classifier.GENERATED,) if generated_class
                      else ())
  return genre_classifier.GenreClassifier(
      VOCAB.size, classes, embedding_size=16, filters=16, dilations=(1, 2),
      vocabulary_genres=GENRES)


def gan_run(folder, **settings):
  """(config, model_dir, classifier_dir): a tiny folk GAN stage's start in
  folder: the tiny config with 6-token rollouts and batches of 2 (and
  `settings` for its adversarial stage), an MLE checkpoint at step 0 in
  folder/run and a tiny genre classifier in folder/classifier."""
  config = configs.get_config('tiny')
  config = dataclasses.replace(config, adversarial=dataclasses.replace(
      config.adversarial, sample_len=6, batch_size=2, mle_batch_size=2,
      **settings))
  model_dir = os.path.join(folder, 'run')
  mle.MleTrainer(config, VOCAB.size, model_dir).manager.save(0)
  classifier_dir = os.path.join(folder, 'classifier')
  classifier_io.save_classifier(classifier(), classifier_dir, {})
  return config, model_dir, classifier_dir


def real_dataset(config, batch, length):
  rng = np.random.default_rng(0)

  def make(input_context=None):
    del input_context
    real = rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                        [64, batch, length]).astype(np.int32)
    mle_batch = rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                             [64, batch, config.max_len]).astype(np.int32)
    mle_batch[:, :, 0] = VOCAB.genre_token('folk')
    return tf.data.Dataset.from_tensor_slices((real, mle_batch))
  return make


def sequences(num=32, length=33, seed=0):
  """A learnable pattern: a few repeated phrases after a genre token."""
  rng = np.random.default_rng(seed)
  phrases = rng.integers(2, 60, (4, 8))
  data = np.stack([np.concatenate([[vocab.GENRE_OFFSET + i % 3]] + [
      phrases[(i + j) % 4] for j in range(length // 8)])[:length]
                   for i in range(num)]).astype(np.int32)
  data[::5, -3:] = vocab.PAD_ID
  return data


def dataset_fn(data, global_batch):
  def make(context):
    batch = context.get_per_replica_batch_size(global_batch)
    return tf.data.Dataset.from_tensor_slices(data).repeat().batch(batch)
  return make


def losses(trainer, data, steps):
  iterator = iter(trainer.strategy.distribute_datasets_from_function(
      dataset_fn(data, 8)))
  return [float(trainer._train_step(iterator)[0]) for _ in range(steps)]  # pylint: disable=protected-access


@contextlib.contextmanager
def attached_iterators(monkeypatch):
  """Yields a list that gets a weak reference to every input iterator a
  trainer attaches to its checkpoint, with the cycle collector off inside
  the block, so an iterator is only freed once no reference holds it."""
  attach, attached = checkpointing.attach_input, []

  def watched(checkpoint, iterator):
    attached.append(weakref.ref(iterator))
    return attach(checkpoint, iterator)

  monkeypatch.setattr(checkpointing, 'attach_input', watched)
  gc.disable()
  try:
    yield attached
  finally:
    gc.enable()
