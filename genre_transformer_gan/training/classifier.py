"""Training and measuring the genre classifier on real music.

`train_classifier` fits a GenreClassifier with Keras (`model.fit`) on random
crops of varying length (pipeline.classifier_train_dataset), weighting genres
by inverse frequency, then reports accuracy per crop length on the validation
and test splits and the confusion matrix at the longest crop length.
"""

import collections
import warnings
from typing import Optional, Sequence

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import pipeline
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import confusion
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.training import loop


MAX_CROPS_PER_PIECE = 8


def genre_counts(builder, split: str, genre_ids: Sequence[int]) -> list:
  """Examples per genre (in genre_ids order) in a split."""
  counts = collections.Counter(
      int(g) for g in builder.as_dataset(split=split).map(
          lambda ex: ex['genre']).as_numpy_iterator())
  return [counts.get(i, 0) for i in genre_ids]


def predict(classifier, dataset: tf.data.Dataset):
  """(labels int [N], probabilities float32 [N, C]) over (crops, labels)."""
  labels, probabilities = [], []
  call = genre_classifier.scorer(classifier)
  for crops, batch_labels in dataset:
    probabilities.append(np.exp(call(crops).numpy()))
    labels.append(batch_labels.numpy())
  if not labels:
    return np.zeros([0], np.int32), np.zeros([0, len(classifier.genres)])
  return np.concatenate(labels), np.concatenate(probabilities)


def accuracy_by_length(classifier, builder, split: str, genre_ids,
                       lengths: Sequence[int], batch_size: int = 64) -> dict:
  """{crop length: {'accuracy', 'balanced_accuracy', 'crops', 'confusion'}}.

  Every piece of the split contributes consecutive crops of each length, at
  most MAX_CROPS_PER_PIECE, so long pieces do not dominate.
  """
  results = {}
  for length in lengths:
    labels, probabilities = predict(classifier, pipeline.classifier_eval_dataset(
        builder.as_dataset(split=split), genre_ids, length, batch_size,
        max_crops_per_piece=MAX_CROPS_PER_PIECE))
    matrix = confusion.confusion_matrix(labels, probabilities.argmax(-1),
                                        len(genre_ids))
    results[int(length)] = dict(confusion.accuracies(matrix),
                                crops=int(len(labels)),
                                confusion=matrix.tolist())
  return results


class _Progress(keras.callbacks.Callback):
  """One log line per epoch: step, loss, accuracy, rate, ETA (loop.Progress)."""

  def __init__(self, total_steps, steps_per_epoch):
    super().__init__()
    self.total_steps = total_steps
    self.steps_per_epoch = steps_per_epoch
    self.progress = None

  def on_train_begin(self, logs=None):
    self.progress = loop.Progress(0, self.total_steps)

  def on_epoch_end(self, epoch, logs=None):
    step = (epoch + 1) * self.steps_per_epoch
    logs = logs or {}
    logging.info('classifier step %d/%d  loss %.4f  accuracy %.3f  '
                 'val_accuracy %.3f  %.1f steps/s  ETA %.0f s', step,
                 self.total_steps, logs.get('loss', float('nan')),
                 logs.get('accuracy', float('nan')),
                 logs.get('val_accuracy', float('nan')),
                 self.progress.steps_per_second(step),
                 self.progress.eta(step))


def train_classifier(config, builder, genres: Sequence[str], output_dir: str,
                     steps: Optional[int] = None, seed: int = 0,
                     strategy: Optional[tf.distribute.Strategy] = None
                     ) -> dict:
  """Trains, measures and saves a genre classifier.

  Args:
    config: a configs.Config (its `classifier` part is used).
    builder: a prepared corpus_genre / lakh_genre builder.
    genres: the classes, a subset of the dataset's genres.
    output_dir: where classifier.keras / .json and the confusion matrix go.
    steps: optimisation steps (default config.classifier.steps).
    seed: data order, crops, augmentation and initialisation.
    strategy: tf.distribute strategy (default: the current one).

  Returns:
    The info written to classifier.json.
  """
  settings = config.classifier
  steps = steps or settings.steps
  strategy = strategy or tf.distribute.get_strategy()
  keras.utils.set_random_seed(seed)
  vocabulary = datasets.get_vocabulary(builder)
  genre_ids = datasets.genre_ids(builder, genres)
  counts = genre_counts(builder, 'train', genre_ids)
  if min(counts) == 0:
    empty = [g for g, c in zip(genres, counts) if not c]
    raise ValueError(f'No training examples of {", ".join(empty)} in '
                     f'{builder.info.full_name}; drop them from --genres.')
  class_weight = {i: sum(counts) / (len(counts) * c)
                  for i, c in enumerate(counts)}
  train = pipeline.classifier_train_dataset(
      builder.as_dataset(split='train'), genre_ids, settings.min_crop_len,
      settings.max_crop_len, settings.batch_size, seed=seed,
      augment=settings.augment)
  eval_split = 'validation' if 'validation' in builder.info.splits else 'train'
  validation = pipeline.classifier_eval_dataset(
      builder.as_dataset(split=eval_split), genre_ids, settings.max_crop_len,
      settings.batch_size).cache()
  with strategy.scope():
    classifier = genre_classifier.GenreClassifier.from_classifier_config(
        settings, vocabulary.size, genres,
        vocabulary_genres=vocabulary.genres)
    schedule = keras.optimizers.schedules.CosineDecay(
        settings.learning_rate, steps, warmup_target=None)
    classifier.compile(
        optimizer=keras.optimizers.Adam(schedule, global_clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=['accuracy'],
        jit_compile=True if config.train.jit_compile else 'auto')
  steps_per_epoch = min(steps, 100)
  epochs = -(-steps // steps_per_epoch)
  logging.info('Training the genre classifier on %s (%s; train examples %s) '
               'for %d steps.', builder.info.full_name, ', '.join(genres),
               counts, epochs * steps_per_epoch)
  with warnings.catch_warnings():
    # Keras warns when the (finite) validation data ends, as it must.
    warnings.filterwarnings('ignore', message='.*ran out of data')
    warnings.filterwarnings('ignore', message='.*shuffle=True')
    history = classifier.fit(
        train, steps_per_epoch=steps_per_epoch, epochs=epochs,
        validation_data=validation, class_weight=class_weight, verbose=0,
        callbacks=[_Progress(epochs * steps_per_epoch, steps_per_epoch)])
  lengths = sorted(set(settings.eval_crop_lengths))
  info = {'dataset': builder.info.full_name, 'config': config.name,
          'steps': epochs * steps_per_epoch, 'seed': seed,
          'train_examples': dict(zip(genres, counts)),
          'final_train_loss': float(history.history['loss'][-1])}
  for split in ('validation', 'test'):
    if split in builder.info.splits:
      info[split] = accuracy_by_length(classifier, builder, split, genre_ids,
                                       lengths, settings.batch_size)
  classifier_io.save_classifier(classifier, output_dir, info)
  confusion.write_split_report(info, genres, output_dir, 'classifier')
  return info

