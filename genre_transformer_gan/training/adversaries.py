"""Where a run's frozen adversaries come from: shipped, or made here.

  genre classifier (K genres)   classifier/<dataset>_<config>/, shared by
                                the runs under one runs root
  K+1 discriminator             <model_dir>/classifier_generated/

Each folder is filled once, then read by every stage and command
(run_layout). `shipped_discriminators` decides, by --classifier, whether
the package's shipped models (models/shipped_classifier.py) stand in for
them; `get_classifier_path` / `get_generated_classifier_path` fill the
folders with those, or train: the genre classifier on real music
(training/classifier.py), the K+1 one from samples of the run's MLE
generator (training/generated_class.py). `export_shipped` makes the pair
the package ships (genre_classifier_train --export_pretrained).
"""

import os
from typing import Optional

from absl import logging
import tensorflow as tf

from genre_transformer_gan import datasets
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import pretrained
from genre_transformer_gan.models import shipped_classifier
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import classifier as classifier_lib
from genre_transformer_gan.training import generated_class
from genre_transformer_gan.training import precision

SHIPPED_BASE = 'shipped'  # Export folders inside the classifier's output.
SHIPPED_GENERATED = 'shipped_generated'


def default_classifier_dir(model_dir, builder, config) -> str:
  """Where genre_gan_train keeps the classifier of model_dir's runs."""
  return run_layout.classifier_dir(run_layout.runs_root(model_dir),
                                   builder.info.full_name, config.name)


def shipped_discriminators(config, vocabulary, model_dir: str,
                           classifier_path: str, start_step: int,
                           source: str = 'auto', generated: bool = True,
                           log=print):
  """(genre card, K+1 card): the shipped classifiers (shipped_classifier)
  a run uses instead of training its own, each None when its folder is
  already full, `source` is 'train' or it does not fit (logged in one
  line). The K+1 one fits only a run that started from the shipped
  generator (start_step: run_lib.mle_start_step) and uses the shipped
  genre classifier; none is looked for when the run needs no K+1 one
  (`generated` False: run_lib.uses_generated_class).

  Raises:
    ValueError: source 'shipped' and one does not fit (one line).
  """
  genre_card = None
  if not classifier_io.exists(classifier_path):
    genre_card, note = shipped_classifier.choose(
        config, vocabulary.genres, shipped_classifier.GENRES_ONLY, source)
    if note:
      log(note)
  generated_card = None
  trains_genres = genre_card is None and not classifier_io.exists(
      classifier_path)  # Then no shipped K+1 one can fit: no second note.
  if (generated and config.adversarial.generated_class and
      not trains_genres and
      not classifier_io.exists(
          run_layout.generated_classifier_dir(model_dir))):
    generator_card = pretrained.read_card(config.name, pretrained.DIRECTORY)
    generator_sha256 = (generator_card['sha256'] if generator_card and
                        start_step == generator_card['step'] else None)
    base_sha256 = (genre_card['sha256'] if genre_card else
                   shipped_classifier.shipped_sha256(classifier_path))
    generated_card, note = shipped_classifier.choose(
        config, vocabulary.genres, shipped_classifier.WITH_GENERATED, source,
        base_sha256, generator_sha256)
    if note:
      log(note)
  return genre_card, generated_card


def get_classifier_path(config, builder, model_dir: str,
                        path: Optional[str] = None, seed: int = 0,
                        strategy: Optional[tf.distribute.Strategy] = None,
                        shipped: Optional[dict] = None, log=print) -> str:
  """The classifier directory, filled first if empty: with the `shipped`
  classifier's card (shipped_discriminators), else trained there (under
  strategy)."""
  path = path or default_classifier_dir(model_dir, builder, config)
  if classifier_io.exists(path):
    return path
  if shipped:
    log(f'Genre classifier: the shipped one ({shipped["dataset"]}, '
        f'{shipped["steps"]} steps; --classifier=train trains one) into '
        f'{path}.')
    return shipped_classifier.materialize(shipped, config, path)
  logging.info('No classifier in %s: training one.', path)
  log(f'Training the genre classifier into {path} ...')
  classifier_lib.train_classifier(
      config, builder, builder.info.features['genre'].names, path,
      seed=seed, strategy=strategy)
  return path


def get_generated_classifier_path(config, builder, vocabulary, model_dir: str,
                                  classifier_path: str, seed: int = 0,
                                  shipped: Optional[dict] = None,
                                  log=print) -> str:
  """The run's K+1 adversary (training/generated_class.py), made first if
  missing: the `shipped` one's card (shipped_discriminators), else from
  classifier_path and samples of model_dir's MLE generator."""
  path = run_layout.generated_classifier_dir(model_dir)
  if classifier_io.exists(path):
    return path
  if shipped:
    log('Discriminator with the class "generated": the shipped one (learned '
        'from the shipped generator\'s samples; --classifier=train makes '
        f'one from this run\'s) into {path}.')
    return shipped_classifier.materialize(shipped, config, path)
  generator, _, checkpoint = generator_io.load_generator(model_dir,
                                                         vocabulary.genres)
  generated_class.from_generator(config, builder, vocabulary, generator,
                                 classifier_path, path, seed,
                                 checkpoint.prefix, log=log)
  return path


def export_shipped(config, builder, classifier_path: str,
                   generated: bool = True, seed: int = 0,
                   info: Optional[dict] = None,
                   directory: Optional[str] = None, log=print) -> list:
  """Ships the classifier trained at classifier_path: its float16 weights
  and card (accuracy by crop length on validation and test, measured on
  those weights), then with `generated` the K+1 discriminator grown from
  exactly those weights on samples of the shipped generator of
  config.name (its card: training/generated_class.py's measures). Working
  folders: classifier_path/shipped and classifier_path/shipped_generated.

  Returns:
    The cards written (shipped_classifier.export).
  """
  directory = directory or pretrained.DIRECTORY
  vocabulary = datasets.get_vocabulary(builder)
  base_info = classifier_io.read_info(classifier_path)
  classifier = classifier_io.load_classifier(classifier_path,
                                             vocabulary.genres, freeze=False)
  pretrained.round_to_float16(classifier)
  genre_ids = datasets.genre_ids(builder, list(classifier.genres))
  lengths = sorted(set(config.classifier.eval_crop_lengths))
  info = dict(info or {}, dataset=builder.info.full_name, seed=seed,
              steps=base_info.get('steps'), cpu=precision.cpu_model(),
              train_examples=base_info.get('train_examples'))
  measured = {split: classifier_lib.accuracy_by_length(
      classifier, builder, split, genre_ids, lengths,
      config.classifier.batch_size)
              for split in ('validation', 'test') if split in
              builder.info.splits}
  card = shipped_classifier.export(classifier, config,
                                   shipped_classifier.GENRES_ONLY,
                                   dict(info, **measured), directory=directory)
  log(f'Shipped the genre classifier: {card["weights"]} '
      f'({card["weights_bytes"] / 1e6:.1f} MB) in {directory}.')
  if not generated:
    return [card]
  base_dir = shipped_classifier.materialize(
      card, config, os.path.join(classifier_path, SHIPPED_BASE), directory)
  generator, _, checkpoint = generator_io.load_shipped(config.name)
  generated_dir = os.path.join(classifier_path, SHIPPED_GENERATED)
  grown = generated_class.from_generator(
      config, builder, vocabulary, generator, base_dir, generated_dir, seed,
      f'the shipped {config.name!r} generator ({checkpoint.prefix})',
      log=log)['generated_class']
  grown.pop('from_classifier')
  wider = classifier_io.load_classifier(generated_dir, vocabulary.genres,
                                        freeze=False)
  pretrained.round_to_float16(wider)
  generated_card = shipped_classifier.export(
      wider, config, shipped_classifier.WITH_GENERATED,
      dict(info, generated_class=grown),
      base_sha256=card['sha256'],
      generator_sha256=pretrained.read_card(config.name)['sha256'],
      directory=directory)
  log(f'Shipped the discriminator with the class "generated": '
      f'{generated_card["weights"]} in {directory}.')
  return [card, generated_card]
