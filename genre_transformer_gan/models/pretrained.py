"""A pretrained starting point shipped inside the package, and its card.

`genre_transformer_gan/pretrained/<config>.npz` holds float16 weights of a
generator pre-trained by MLE (`bin/pretrain_small.sh`, then
`bin/pretrain_full.sh`), next to
`<config>.json`, its model card: the command, steps, dataset version,
validation NLL, the model and vocabulary it fits, and the weights' sha256.

`genre_gan_train` starts a new model_dir from it when the card matches the
run's config name, generator family and model settings. The event tokens
are the same in every dataset (data/vocabulary.py), so a dataset with other
genres (your own folders, Lakh's labels) starts from it too: a genre the
card knows by name keeps its rows of the embedding and the output layer,
and a new one starts from the mean of the card's genres' rows
(`genre_rows`), so it is conditioned on an average of the genres the
generator knows until its own music trains it. The trainer's step starts
at the card's (`MleTrainer.step_offset`), so the
learning-rate schedule continues where pre-training stopped and
`--mle_steps` adds that many steps beyond it, while Adam, whose moments
start at zero, counts its own steps from 0.
"""

import dataclasses
import datetime
import hashlib
import io
import json
import os
from typing import Optional, Sequence

import numpy as np
import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan import choices
from genre_transformer_gan.data import vocabulary as vocab

DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                         'pretrained')
INIT_FROM = choices.INIT_FROM
GENERATOR = 'generator'  # A card's 'kind' (generator cards have none).


def paths(name: str, directory: str = DIRECTORY):
  """(weights .npz, card .json) of a shipped model: a config's name for its
  generator, models/shipped_classifier.name(...) for a classifier."""
  return (os.path.join(directory, f'{name}.npz'),
          os.path.join(directory, f'{name}.json'))


def shipped(directory: str = DIRECTORY) -> list:
  """Names of the configs whose pretrained generator ships (sorted); the
  cards of other kinds (models/shipped_classifier.py) are not listed."""
  if not tf.io.gfile.isdir(directory):
    return []
  names = [name[:-len('.json')] for name in tf.io.gfile.listdir(directory)
           if name.endswith('.json')]
  return sorted(name for name in names
                if (read_card(name, directory) or {}).get(
                    'kind', GENERATOR) == GENERATOR)


def fingerprint(config, genres) -> dict:
  """What a pretrained generator must share with a run to start it."""
  family = {'transformer': config.transformer, 'lstm': config.lstm,
            'wavenet': config.wavenet}[config.generator]
  return {'config': config.name, 'generator': config.generator,
          'model': json.loads(json.dumps(dataclasses.asdict(family))),
          'genres': list(genres)}


def read_card(name: str, directory: str = DIRECTORY) -> Optional[dict]:
  """The card of a shipped model (`paths`), or None if none ships."""
  weights, card = paths(name, directory)
  if not (tf.io.gfile.exists(weights) and tf.io.gfile.exists(card)):
    return None
  fix = ('reinstall the package (`pip install --force-reinstall --no-deps .` '
         'in its source folder)' if os.path.abspath(directory) ==
         os.path.abspath(DIRECTORY) else 'export the model into it again')
  return atomic_files.read_json(card, 'model card', fix)


def mismatch(card: dict, config, genres) -> str:
  """'' if the generator's card can start the run, else what differs: its
  genres may differ (`genre_rows` adapts them), nothing else."""
  wanted = fingerprint(config, genres)
  del wanted['genres']
  return differences(card, wanted)


def new_genres(card: dict, genres) -> list:
  """The run's genres the card's generator has not learned (by name)."""
  return [genre for genre in genres if genre not in card['fits']['genres']]


def genre_rows(card_genres, genres) -> list:
  """For each token id of the run's vocabulary, the card's id whose row of
  the embedding and output layer it takes, or None for a new genre (it
  takes the mean of the card's genre rows). Event ids map to themselves."""
  card_vocabulary = vocab.Vocabulary(card_genres)
  return list(range(vocab.GENRE_OFFSET)) + [
      card_vocabulary.genre_token(genre) if genre in card_genres else None
      for genre in genres]


def _adapted(array: np.ndarray, shape, rows, card_size: int) -> np.ndarray:
  """`array`, a weight of the card's model, with its vocabulary axes (the
  one of card_size that the run's model has at len(rows)) re-indexed by
  `rows`; a weight without one is returned as it is."""
  axes = [axis for axis, (old, new) in enumerate(zip(array.shape, shape))
          if old == card_size and new == len(rows)]
  if len(array.shape) != len(shape) or len(axes) > 1 or (
      not axes and array.shape != tuple(shape)):
    raise ValueError(f'A shipped weight of shape {array.shape} does not map '
                     f'onto this model\'s {tuple(shape)}.')
  if not axes:
    return array
  moved = np.moveaxis(array, axes[0], 0)
  mean = moved[vocab.GENRE_OFFSET:].mean(axis=0)
  return np.moveaxis(np.stack([moved[row] if row is not None else mean
                               for row in rows]), 0, axes[0])


def differences(card: dict, wanted: dict) -> str:
  """'' if a shipped model's card `fits` what a run wants (a fingerprint),
  else what differs (one phrase)."""
  different = [key for key in wanted if card['fits'].get(key) != wanted[key]]
  return ', '.join(f'{key} ({card["fits"].get(key)!r}, this run '
                   f'{wanted[key]!r})' for key in different)


def round_to_float16(model) -> None:
  """Sets the model's weights to what the shipped float16 file holds (in
  place), so measures taken before export are those of the shipped file."""
  model.set_weights([np.asarray(w, np.float16).astype(np.float32)
                     for w in model.get_weights()])


def write_weights(model, name: str, card: dict,
                  directory: str = DIRECTORY,
                  keep_record: Sequence[str] = ()) -> dict:
  """Writes `name`.npz (the model's weights in float16) and `name`.json (the
  card: `card` with the file's size, sha256 and parameter count, and the
  date); returns the card. When the card already there describes the same
  bytes (the same weights shipped again), its `keep_record` keys (e.g. the
  command and time that trained them) stay, and this card's `command`
  becomes `shipped_again_by`."""
  weights_path, card_path = paths(name, directory)
  before = read_card(name, directory) if keep_record else None
  tf.io.gfile.makedirs(directory)
  buffer = io.BytesIO()
  np.savez(buffer, **{f'w{i:03d}': np.asarray(w, np.float16)
                      for i, w in enumerate(model.get_weights())})
  data = buffer.getvalue()
  atomic_files.write_bytes(weights_path, data)
  card = dict(card, weights=os.path.basename(weights_path),
              weights_dtype='float16', weights_bytes=len(data),
              sha256=hashlib.sha256(data).hexdigest(),
              parameters=int(sum(np.size(w) for w in model.get_weights())),
              exported=datetime.date.today().isoformat())
  if before and before.get('sha256') == card['sha256']:
    card = dict(card, shipped_again_by=card.get('command'),
                **{key: before[key] for key in keep_record if key in before})
  atomic_files.write_json(card_path, card)
  return card


def export(model, config, genres, step: int, info: dict,
           directory: str = DIRECTORY) -> dict:
  """Writes the generator's weights (float16) and card; returns the card."""
  return write_weights(model, config.name,
                       dict(info, fits=fingerprint(config, genres),
                            step=int(step)), directory)


def load_weights(model, name: str, directory: str = DIRECTORY,
                 fix: str = 'pass --init_from=scratch', genres=None):
  """Sets the model's weights from the shipped file `name`.npz, checked
  against its card's sha256 (a mismatch: one line ending in `fix`); with
  `genres` other than the card's, its genre rows are adapted
  (`genre_rows`)."""
  weights_path, _ = paths(name, directory)
  card = read_card(name, directory)
  with tf.io.gfile.GFile(weights_path, 'rb') as f:
    data = f.read()
  if hashlib.sha256(data).hexdigest() != card['sha256']:
    raise ValueError(f'{weights_path} does not match its card (sha256); '
                     f'reinstall the package or {fix}.')
  with np.load(io.BytesIO(data)) as weights:
    arrays = [weights[f'w{i:03d}'].astype(np.float32)
              for i in range(len(weights.files))]
  card_genres = card.get('fits', {}).get('genres')
  if genres is not None and list(genres) != card_genres:
    rows = genre_rows(card_genres, genres)
    card_size = vocab.Vocabulary(card_genres).size
    arrays = [_adapted(array, weight.shape, rows, card_size)
              for array, weight in zip(arrays, model.get_weights())]
  model.set_weights(arrays)
  return card


def choose(config, genres, init_from: str = 'auto',
           directory: str = DIRECTORY):
  """(the card to start from or None, a line saying why not or '').

  Raises:
    ValueError: an unknown init_from; init_from='pretrained' and none ships
      for the config, or it does not fit the run (one line naming what
      differs and the flag).
  """
  if init_from not in INIT_FROM:
    raise ValueError(f'--init_from={init_from} is unknown; choose one of: '
                     f'{", ".join(INIT_FROM)}.')
  if init_from == 'scratch':
    return None, ''
  card = read_card(config.name, directory)
  return decide(card, card and mismatch(card, config, genres),
                init_from == 'pretrained',
                f'pretrained {config.name!r} generator',
                'pass --init_from=scratch', 'training from scratch')


def decide(card: Optional[dict], differs: str, required: bool, what: str,
           fix: str, otherwise: str):
  """(card, '') when a shipped model's card exists and fits (`differs`
  empty); else (None, '' or a line ending in `otherwise`), or, if
  `required`, ValueError: one line ending in `fix`."""
  if card is None:
    if required:
      raise ValueError(f'No {what} ships with this package; {fix}.')
    return None, ''
  if not differs:
    return card, ''
  message = f'The {what} does not fit this run: {differs}'
  if required:
    raise ValueError(f'{message}; {fix}.')
  return None, f'{message}; {otherwise}.'


def initialize(trainer, config, genres, init_from: str = 'auto',
               directory: str = DIRECTORY, log=print) -> Optional[dict]:
  """Starts a fresh MleTrainer from the shipped generator if asked and fit.

  Does nothing for a trainer restored from its own checkpoint.

  Returns:
    The card used, or None (trained from scratch).

  Raises:
    ValueError: as `choose`.
  """
  card, message = choose(config, genres, init_from, directory)
  if trainer.restored_from:
    return None
  if message:
    log(message)
  if card is None:
    return None
  load_weights(trainer.model, config.name, directory, genres=genres)
  trainer.step_offset.assign(card['step'])  # Adam's own count stays 0.
  trainer.manager.save(checkpoint_number=card['step'])
  new = new_genres(card, genres)
  log(f'Starting from the pretrained {config.name!r} generator '
      f'({card["step"]} MLE steps on {card["dataset"]}, validation NLL '
      f'{card["validation_nll"]:.3f}; --init_from=scratch to train from '
      'nothing).' + (
          f' New to it: {", ".join(new)}, which start from the mean of its '
          f'genres ({", ".join(card["fits"]["genres"])}).' if new else ''))
  return card
