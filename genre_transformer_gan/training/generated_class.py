"""A K+1-th class, 'generated', for the frozen classifier.

The discriminator of a GAN separates real from generated; this package's
adversary is a genre classifier, which calls anything (noise included) one
of its K genres. `add_generated_class` gives it a K+1-th class learned from
the starting generator's own samples, so that the genre loss -log p(target)
pushes away from the other genres *and* from what the generator makes now:

  1. samples: `generated_samples` sequences of the generator, decoded as the
     report decodes (config.sampling), its genre tokens in turn, each
     config.classifier.max_crop_len tokens long;
  2. the model: the genre classifier's weights, its logits layer widened by
     one output (initialised at zero);
  3. fine-tuning (Keras fit, `generated_steps`, no augmentation): real
     crops of the genres and crops of three quarters of the samples, mixed
     1 : K and weighted so every class counts alike; the last quarter is
     held out;
  4. measures per crop length: the share of held-out generated crops and of
     real validation crops called 'generated', and the genre accuracy.

The samples come from a generator, never from evaluation/negatives.py: the
adversary and the independent evaluator stay independent. The result is
frozen when the GAN stage loads it, like any classifier.
"""

import warnings
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import pipeline
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import confusion
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.training import classifier as classifier_lib

GENERATED = genre_classifier.GENERATED


def generator_samples(generator, vocabulary, genres: Sequence[str], count: int,
                      length: int, sampling_config, seed: int = 0,
                      batch_size: int = 16) -> np.ndarray:
  """int32 [count, length] event tokens; sample i has genre i % len(genres).

  Decoded with sampling_config (configs.SamplingConfig), as the report's
  samples are.
  """
  sampler = sampling.Sampler(generator, sampling_config.temperature,
                             sampling_config.top_k, sampling_config.top_p,
                             jit_compile=sampling_config.jit_compile,
                             **sampling_config.cache_for(None))
  tokens = np.array([vocabulary.genre_token(genres[i % len(genres)])
                     for i in range(count)], np.int32)
  batches = []
  for start in range(0, count, batch_size):
    prompts = tokens[start:start + batch_size, None]
    batches.append(sampler.generate(prompts, length, seed=seed + start)[:, 1:])
  return np.concatenate(batches) if batches else np.zeros([0, length],
                                                          np.int32)


def widen(classifier: genre_classifier.GenreClassifier, settings
          ) -> genre_classifier.GenreClassifier:
  """A copy of `classifier` with the class 'generated' added at the end.

  Its logits for the K genres equal the original's; the new class's logit
  starts at 0 (kernel and bias zero).
  """
  wider = genre_classifier.GenreClassifier.from_classifier_config(
      settings, classifier.vocab_size, classifier.genres + (GENERATED,),
      vocabulary_genres=classifier.vocabulary_genres)
  for old, new in zip(classifier.weights, wider.weights):
    value = old.numpy()
    if tuple(old.shape) == tuple(new.shape):
      new.assign(value)
    else:  # The logits layer: one more output column.
      grown = np.zeros(new.shape, value.dtype)
      grown[..., :value.shape[-1]] = value
      new.assign(grown)
  return wider


def _examples(tokens, genre_id: int) -> tf.data.Dataset:
  return tf.data.Dataset.from_tensor_slices({
      'tokens': tf.constant(tokens, tf.int32),
      'genre': tf.fill([len(tokens)], tf.constant(genre_id, tf.int64))})


def _real(examples: tf.data.Dataset) -> tf.data.Dataset:
  return examples.map(lambda ex: {'tokens': tf.cast(ex['tokens'], tf.int32),
                                  'genre': tf.cast(ex['genre'], tf.int64)})


def _called_generated(classifier, crops_dataset) -> float:
  _, probabilities = classifier_lib.predict(classifier, crops_dataset)
  if not len(probabilities):
    return float('nan')
  return float(np.mean(probabilities.argmax(-1) == len(classifier.genres) - 1))


def add_generated_class(config, builder, classifier_path: str, samples,
                        output_dir: str, seed: int = 0) -> dict:
  """Fine-tunes a K+1 classifier from the one at classifier_path.

  Args:
    config: a configs.Config (its classifier and adversarial parts).
    builder: the prepared dataset the classifier was trained on.
    classifier_path: the genre classifier (K classes).
    samples: int [M, L] event tokens of the generator (generator_samples).
    output_dir: where the K+1 classifier, its info and confusion go.

  Returns:
    The info written to classifier.json (with 'generated_class').
  """
  settings = config.classifier
  keras.utils.set_random_seed(seed)
  vocabulary = datasets.get_vocabulary(builder)
  base = classifier_io.load_classifier(classifier_path, vocabulary.genres,
                                       freeze=False)
  genres = list(base.genres)
  if GENERATED in genres:
    raise ValueError(f'The classifier at {classifier_path} already has the '
                     f'class {GENERATED}; pass the genre classifier.')
  samples = np.asarray(samples, np.int32)
  held = max(len(samples) // 4, 1)
  train_samples, held_samples = samples[:-held], samples[-held:]
  genre_ids = datasets.genre_ids(builder, genres)
  generated_id = len(vocabulary.genres)  # Beyond the dataset's labels.
  counts = classifier_lib.genre_counts(builder, 'train', genre_ids)
  class_weight = {i: sum(counts) / (len(counts) * c)
                  for i, c in enumerate(counts)}
  class_weight[len(genres)] = 1.0
  mixed = tf.data.Dataset.sample_from_datasets(
      [_real(builder.as_dataset(split='train')).repeat(),
       _examples(train_samples, generated_id).repeat()],
      weights=[len(genres) / (len(genres) + 1), 1 / (len(genres) + 1)],
      seed=seed)
  train = pipeline.classifier_train_dataset(
      mixed, genre_ids + [generated_id], settings.min_crop_len,
      settings.max_crop_len, settings.batch_size, seed=seed,
      augment=False)  # Augmenting drops samples that do not transpose (and
  # augmenting only the real crops would be a cue of its own).
  classifier = widen(base, settings)
  classifier.compile(
      optimizer=keras.optimizers.Adam(settings.learning_rate / 4,
                                      global_clipnorm=1.0),
      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
      metrics=['accuracy'])
  steps = config.adversarial.generated_steps
  with warnings.catch_warnings():
    warnings.filterwarnings('ignore', message='.*shuffle=True')
    history = classifier.fit(train, steps_per_epoch=steps, epochs=1,
                             class_weight=class_weight, verbose=0)
  lengths = sorted(set(settings.eval_crop_lengths))
  measured = {}
  for length in lengths:
    held_crops = pipeline.classifier_eval_dataset(
        _examples(held_samples, generated_id), [generated_id], length,
        settings.batch_size)
    real_split = ('validation' if 'validation' in builder.info.splits
                  else 'train')
    real_crops = pipeline.classifier_eval_dataset(
        builder.as_dataset(split=real_split), genre_ids, length,
        settings.batch_size,
        max_crops_per_piece=classifier_lib.MAX_CROPS_PER_PIECE)
    labels, probabilities = classifier_lib.predict(classifier, real_crops)
    matrix = confusion.confusion_matrix(labels, probabilities.argmax(-1),
                                        len(genres) + 1)
    measured[int(length)] = {
        'generated_called_generated': _called_generated(classifier,
                                                        held_crops),
        'real_called_generated': float(np.mean(
            probabilities.argmax(-1) == len(genres))) if len(labels) else
                                 float('nan'),
        'genre_accuracy': confusion.accuracies(matrix)['accuracy'],
        'real_split': real_split, 'confusion': matrix.tolist()}
  base_info = classifier_io.read_info(classifier_path)
  info = {'dataset': builder.info.full_name, 'config': config.name,
          'seed': seed, 'base_classifier': base_info}
  info.update(generated_class={
      'from_classifier': classifier_path, 'samples': int(len(samples)),
      'held_out_samples': int(held), 'sample_length': int(samples.shape[1]),
      'steps': steps, 'final_train_loss': float(history.history['loss'][-1]),
      'by_crop_length': measured})
  classifier_io.save_classifier(classifier, output_dir, info)
  return info


def from_generator(config, builder, vocabulary, generator, classifier_path: str,
                   output_dir: str, seed: int = 0, source: str = 'generator',
                   log=print) -> dict:
  """`add_generated_class` with the config's samples of `generator` (named
  `source` in the log), each crop length's measures logged; its info."""
  settings = config.adversarial
  genres = classifier_io.load_classifier(classifier_path,
                                         vocabulary.genres).genres
  log(f'Adding the class "generated" to the classifier: '
      f'{settings.generated_samples} samples of {source}, then '
      f'{settings.generated_steps} steps, into {output_dir} ...')
  samples = generator_samples(
      generator, vocabulary, genres, settings.generated_samples,
      config.classifier.max_crop_len, config.sampling, seed=seed)
  info = add_generated_class(config, builder, classifier_path, samples,
                             output_dir, seed=seed)
  for length, measured in info['generated_class']['by_crop_length'].items():
    log(f'  crops of {length}: held-out samples called generated '
        f'{measured["generated_called_generated"]:.2f}, real '
        f'{measured["real_called_generated"]:.2f}; genre accuracy '
        f'{measured["genre_accuracy"]:.2f}')
  return info
