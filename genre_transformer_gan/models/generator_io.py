"""Finding and restoring a trained generator from what genre_gan_train wrote.

  model_dir/run.json                         config name, generator family,
                                             genres (the vocabulary)
  model_dir/checkpoints/ckpt-N               MLE stage (key `model`)
  model_dir/adversarial_<genre>/checkpoints/ckpt-N
                                             GAN stage (key `generator`)
  <stage folder>/ngram_cache.json            the n-gram cache fitted to the
                                             stage's checkpoint: the config
                                             load_generator returns draws
                                             the genre with it

`load_generator` accepts any of: a model_dir, an adversarial_<genre> folder
inside one, or a checkpoint prefix in either (…/checkpoints/ckpt-N).
`load_shipped` loads the generator shipped inside the package instead.
"""

import dataclasses
import os
from typing import Optional, Sequence, Tuple

import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import checkpoint_files
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import ngram_cache
from genre_transformer_gan.models import pretrained
from genre_transformer_gan import run_layout

# The object each stage's tf.train.Checkpoint names the generator.
MLE_KEY = 'model'
ADVERSARIAL_KEY = 'generator'


@dataclasses.dataclass(frozen=True)
class GeneratorCheckpoint:
  """Where a generator is stored.

  Attributes:
    model_dir: the folder holding run.json (None: the shipped generator).
    prefix: the checkpoint prefix to restore.
    key: MLE_KEY or ADVERSARIAL_KEY.
    stage: 'mle' or 'adversarial_<genre>'.
    genres: the vocabulary's genres, from run.json (set by load_generator).
  """
  model_dir: Optional[str]
  prefix: str
  key: str
  stage: str
  genres: Tuple[str, ...] = ()


def _stage_of(checkpoint_dir: str) -> Tuple[str, str, str]:
  """(model_dir, key, stage) of a folder that holds checkpoints/ (or is it)."""
  folder = os.path.abspath(checkpoint_dir)
  if os.path.basename(folder) == run_layout.CHECKPOINTS:
    folder = os.path.dirname(folder)
  name = os.path.basename(folder)
  parent = os.path.dirname(folder)
  if (not tf.io.gfile.exists(run_layout.run_file(folder)) and
      tf.io.gfile.exists(run_layout.run_file(parent))):
    if name.startswith(run_layout.ADVERSARIAL_PREFIX):
      return parent, ADVERSARIAL_KEY, name
    if name.startswith(run_layout.GENRE_MLE_PREFIX):
      return parent, MLE_KEY, name
  return folder, MLE_KEY, 'mle'


def resolve_checkpoint(path: str) -> GeneratorCheckpoint:
  """The checkpoint of a model_dir, an adversarial_<genre> folder or a prefix.

  Raises:
    FileNotFoundError: nothing to restore there.
  """
  path = os.fspath(path).rstrip('/')
  if tf.io.gfile.exists(path + '.index'):
    model_dir, key, stage = _stage_of(os.path.dirname(path))
    return GeneratorCheckpoint(model_dir, path, key, stage)
  prefix = checkpoint_files.latest(run_layout.checkpoints_dir(path))
  if not prefix:
    raise FileNotFoundError(
        f'No generator checkpoint in {path}; pass a model_dir trained by '
        '`genre_gan_train` (or its adversarial_<genre> folder), or a prefix '
        'like MODEL_DIR/checkpoints/ckpt-100.')
  model_dir, key, stage = _stage_of(path)
  return GeneratorCheckpoint(model_dir, prefix, key, stage)


def pick_for_genre(model_dir: str, genre: Optional[str]) -> str:
  """The genre stage genre_gan_train trained for `genre` (adversarial_<genre>
  or mle_<genre>; the more recent if both), else model_dir."""
  stages = []
  for folder in ([run_layout.adversarial_dir(model_dir, genre),
                  run_layout.genre_mle_dir(model_dir, genre)] if genre else []):
    prefix = checkpoint_files.latest(run_layout.checkpoints_dir(folder))
    if prefix:
      stages.append((tf.io.gfile.stat(prefix + '.index').mtime_nsec, folder))
  return max(stages)[1] if stages else model_dir


def read_run(model_dir: str) -> dict:
  """run.json of a model_dir: {'config', 'generator', 'genres': [...]}."""
  path = run_layout.run_file(model_dir)
  if not tf.io.gfile.exists(path):
    raise FileNotFoundError(f'{path} is missing; pass a model_dir written by '
                            'genre_gan_train.')
  run = atomic_files.read_json(
      path, 'run record', 'delete it and run genre_gan_train with the run\'s '
      'flags again, which writes it anew', keys=('config', 'genres'))
  run.setdefault('generator', 'transformer')  # Runs from before families.
  return run


def load_generator(path: str,
                   vocabulary_genres: Optional[Sequence[str]] = None,
                   fitted_cache: bool = True):
  """(model, config, checkpoint): a trained generator, restored.

  Args:
    path: model_dir, adversarial_<genre> folder, or checkpoint prefix.
    vocabulary_genres: if given, the genres the generator must have been
      trained with (e.g. a dataset's); None: the run's own.
    fitted_cache: the config draws with the n-gram cache fitted to this
      checkpoint (with_fitted_cache); False: the run config's own, and the
      stage's ngram_cache.json is not read (genre_gan_train, which is
      about to fit it again).

  Returns:
    (generator model, configs.Config with the run's generator family,
     GeneratorCheckpoint with genres).

  Raises:
    FileNotFoundError / ValueError: missing run.json, another vocabulary.
  """
  checkpoint = resolve_checkpoint(path)
  run = read_run(checkpoint.model_dir)
  genres = tuple(run['genres'])
  checkpoint = dataclasses.replace(checkpoint, genres=genres)
  if vocabulary_genres is not None and genres != tuple(vocabulary_genres):
    raise ValueError(
        f'The generator in {checkpoint.model_dir} was trained with genres '
        f'({", ".join(genres)}) but the dataset has '
        f'({", ".join(vocabulary_genres)}); pass the --dataset it was '
        'trained on.')
  config = configs.get_config(run['config'], run['generator'])
  if fitted_cache:
    config = with_fitted_cache(config, checkpoint)
  model = generators.build(config, vocab.Vocabulary(genres).size)
  restore_weights(model, checkpoint.prefix, checkpoint.key)
  return model, config, checkpoint


def stage_dir(checkpoint: GeneratorCheckpoint) -> str:
  """The folder of checkpoint's stage: its model_dir (MLE) or the genre
  stage's folder inside it."""
  if checkpoint.stage == 'mle':
    return checkpoint.model_dir
  return os.path.join(checkpoint.model_dir, checkpoint.stage)


def with_fitted_cache(config, checkpoint: GeneratorCheckpoint):
  """config, drawing the genre the stage's n-gram cache was fitted for at
  its weights and fade, if genre_gan_train fitted one to this very
  checkpoint (run_layout.ngram_cache_file); else config."""
  fitted = ngram_cache.read_fitted(run_layout.ngram_cache_file(
      stage_dir(checkpoint)))
  if fitted is None or fitted['checkpoint'] != os.path.basename(
      checkpoint.prefix):
    return config
  return dataclasses.replace(config, sampling=dataclasses.replace(
      config.sampling.with_genre_cache(fitted['genre'], fitted['weights']),
      cache_fade=fitted['fade']))


SHIPPED_STAGE = 'pretrained'


def load_shipped(name: str):
  """(model, config, checkpoint) of the generator shipped for config `name`.

  No training run and no dataset: the float16 weights in the package
  (models/pretrained.py), checked by sha256, in a model built from the
  package's `name` config. checkpoint.model_dir is None; its prefix is the
  weights file and its stage 'pretrained'.

  Raises:
    ValueError: none ships for `name` (the message lists those that do),
      the package's config no longer fits the weights, or they fail the
      sha256 check.
  """
  card = pretrained.read_card(name)
  if card is None:
    names = ', '.join(pretrained.shipped()) or 'none'
    raise ValueError(f'No generator ships for --model={name} (shipped: '
                     f'{names}); pass one of those, or --model_dir=DIR of a '
                     'genre_gan_train run.')
  fits = card['fits']
  config = configs.get_config(fits['config'], fits['generator'])
  genres = tuple(fits['genres'])
  differs = pretrained.mismatch(card, config, genres)
  if differs:
    raise ValueError(f'The shipped {name!r} generator does not fit this '
                     f'version\'s {name!r} config: {differs}; reinstall the '
                     'package.')
  model = generators.build(config, vocab.Vocabulary(genres).size)
  pretrained.load_weights(model, name)
  weights_path, _ = pretrained.paths(name)
  return model, config, GeneratorCheckpoint(None, weights_path, MLE_KEY,
                                            SHIPPED_STAGE, genres)


def restore_weights(model, prefix: str, key: str = 'model') -> None:
  """Restores every variable of the built `model` from checkpoint `prefix`.

  What else the checkpoint holds (optimizer slots, a critic) is ignored; a
  variable of `model` the checkpoint lacks is an error, not a silently fresh
  weight.

  Raises:
    ValueError: the checkpoint lacks some of the model's variables, or does
      not read (checkpoint_files.check_readable: names an earlier one).
  """
  checkpoint_files.check_readable(prefix)
  status = tf.train.Checkpoint(**{key: model}).restore(prefix)
  try:
    status.expect_partial().assert_existing_objects_matched()
  except AssertionError as e:
    missing = str(e).strip().splitlines()[0][:200]
    raise ValueError(
        f'{prefix} does not hold every weight of this {type(model).__name__} '
        f'({missing}); it was written by another config or generator family: '
        'pass the --config / --generator it was trained with.') from e
