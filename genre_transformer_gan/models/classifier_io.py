"""Saving and loading the genre classifier with the settings it depends on.

A classifier directory holds:
  classifier.keras   the Keras model (its config has genres and vocab size);
  classifier.json    genres, vocabulary layout, dataset, accuracies.

`load_classifier` checks the vocabulary and genres against the generator's
and fails with a one-line error that says how to get a matching classifier.
"""

import os
from typing import Optional, Sequence

import keras
import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import genre_classifier

MODEL_FILE = 'classifier.keras'
INFO_FILE = 'classifier.json'
RETRAIN = ('train a matching one with `genre_classifier_train '
           '--dataset=<the generator\'s dataset> --output=DIR`')
# For a file that does not read: genre_gan_train fills its own folder again.
REPLACE = (RETRAIN + ', or delete the folder if genre_gan_train made it '
           '(it fills it again)')
_ZIP_MAGIC = b'PK\x03\x04'  # A .keras file is a zip archive.


def vocabulary_layout() -> dict:
  """The token layout a classifier's embedding table was trained for."""
  return {'num_events': vocab.NUM_EVENTS, 'genre_offset': vocab.GENRE_OFFSET,
          'steps_per_second': vocab.STEPS_PER_SECOND,
          'num_velocity_bins': vocab.NUM_VELOCITY_BINS}


def _paths(path: str):
  path = os.fspath(path)
  if path.endswith('.keras'):
    directory = os.path.dirname(path)
    return path, os.path.join(directory, INFO_FILE)
  return os.path.join(path, MODEL_FILE), os.path.join(path, INFO_FILE)


def save_classifier(classifier, output_dir: str, info: dict) -> str:
  """Writes classifier.keras and classifier.json (with `info` merged in)."""
  tf.io.gfile.makedirs(output_dir)
  model_path, info_path = _paths(output_dir)
  with atomic_files.path(model_path) as temporary:
    classifier.save(temporary)
  info = dict(info, genres=list(classifier.genres),
              vocabulary_genres=list(classifier.vocabulary_genres),
              vocab_size=classifier.vocab_size,
              vocabulary=vocabulary_layout())
  atomic_files.write_json(info_path, info)
  return model_path


def exists(path: str) -> bool:
  """Whether a saved classifier is at `path` (a directory or its .keras)."""
  return tf.io.gfile.exists(_paths(path)[0])


def read_info(path: str) -> dict:
  """classifier.json of a classifier directory (or of its .keras file)."""
  _, info_path = _paths(path)
  if not tf.io.gfile.exists(info_path):
    return {}
  return atomic_files.read_json(info_path, 'classifier record', REPLACE)


def load_classifier(path: str, vocabulary_genres: Optional[Sequence[str]] = None,
                    genres: Sequence[str] = (), freeze: bool = True):
  """Loads a classifier and checks it fits the generator.

  Args:
    path: a classifier directory or its classifier.keras file.
    vocabulary_genres: the generator's vocabulary genres (token order); the
      classifier must have been trained on the same vocabulary.
    genres: genres the caller needs the classifier to tell apart.
    freeze: return it frozen (genre_classifier.freeze).

  Raises:
    FileNotFoundError / ValueError: one line saying what to do.
  """
  model_path, _ = _paths(path)
  if not tf.io.gfile.exists(model_path):
    raise FileNotFoundError(f'No genre classifier at {path}; {RETRAIN}.')
  layout = read_info(path).get('vocabulary')
  if layout is not None and layout != vocabulary_layout():
    raise ValueError(f'The classifier at {path} uses the token layout '
                     f'{layout}, not this package\'s {vocabulary_layout()}; '
                     f'{RETRAIN}.')
  with tf.io.gfile.GFile(model_path, 'rb') as f:
    head = f.read(len(_ZIP_MAGIC))
  if head != _ZIP_MAGIC:
    raise ValueError(f'{model_path} is not a readable genre classifier ('
                     f'{"empty" if not head else "not a .keras zip archive"}'
                     f'); {REPLACE}.')
  try:
    # safe_mode: a .keras file someone hands you cannot run a lambda.
    classifier = keras.saving.load_model(model_path, safe_mode=True)
  except Exception as e:  # pylint: disable=broad-except
    raise ValueError(f'{model_path} is not a readable genre classifier '
                     f'({type(e).__name__}: {str(e)[:120]}); '
                     f'{REPLACE}.') from e
  if not isinstance(classifier, genre_classifier.GenreClassifier):
    raise ValueError(f'{model_path} is not a GenreClassifier; {RETRAIN}.')
  if vocabulary_genres is not None and (
      tuple(vocabulary_genres) != classifier.vocabulary_genres):
    raise ValueError(
        f'The classifier at {path} was trained on a vocabulary with genre '
        f'tokens ({", ".join(classifier.vocabulary_genres)}) but the '
        f'generator\'s are ({", ".join(vocabulary_genres)}); {RETRAIN}.')
  missing = [g for g in genres if g not in classifier.genres]
  if missing:
    raise ValueError(
        f'The classifier at {path} does not know genre(s) '
        f'{", ".join(missing)} (it knows {", ".join(classifier.genres)}); '
        f'{RETRAIN} --genres=...')
  if freeze:
    genre_classifier.freeze(classifier)
  return classifier
