"""Finding, building and loading the package's TFDS datasets.

`corpus_genre/*` is built on first use (no download). `lakh_genre/*` and
`midi_folders` need a manual_dir (see their README.md in tfds_builders/).
This module sits above the builders (tfds_builders/, which use the data
stage), and the models, evaluation and training stages use it.
"""

import os
from typing import Optional

import numpy as np
import tensorflow_datasets as tfds

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary

DEFAULT_DATASET = configs.DEFAULT_DATASET
DEFAULT_DATA_DIR = os.path.join('~', 'tensorflow_datasets')


class DatasetError(ValueError):
  """A dataset cannot be found or built; the message says how to fix it."""


def _register_builders():
  import tfds_builders  # pylint: disable=import-outside-toplevel,unused-import


def get_builder(name: str = DEFAULT_DATASET, data_dir: Optional[str] = None,
                manual_dir: Optional[str] = None,
                build: bool = True, beam_options=None):
  """A prepared TFDS builder of `name`, building it if needed and allowed.

  Args:
    name: `corpus_genre/small`, `corpus_genre/full`, `lakh_genre/<config>`,
      `midi_folders`.
    data_dir: TFDS data_dir (default ~/tensorflow_datasets).
    manual_dir: lakh_genre's or midi_folders' manual_dir.
    build: prepare the dataset when it is not there yet.
    beam_options: `apache_beam.options.pipeline_options.PipelineOptions`.

  Raises:
    DatasetError: unknown name, not prepared and `build` is False, or the
      build failed for a reason the user can fix (e.g. manual_dir).
  """
  _register_builders()
  data_dir = os.path.expanduser(data_dir or DEFAULT_DATA_DIR)
  if os.path.isfile(data_dir):
    raise DatasetError(f'--data_dir={data_dir} is a file, not a folder; pass '
                       f'a folder for the datasets (default {DEFAULT_DATA_DIR}'
                       ').')
  try:
    builder = tfds.builder(name, data_dir=data_dir)
  except tfds.core.registered.DatasetNotFoundError as e:
    raise DatasetError(
        f'Unknown dataset {name!r}; use corpus_genre/small, corpus_genre/full, '
        'lakh_genre/<tagtraum_cd2c|tagtraum_cd1|tagtraum_cd2|magd> or '
        'midi_folders.'
    ) from e
  except ValueError as e:  # unknown config
    raise DatasetError(f'{e}') from e
  if builder.is_prepared():
    return builder
  if not build:
    raise DatasetError(f'{name} is not prepared in {data_dir}; build it with '
                       f'`genre_gan_dataset --dataset={name}`.')
  download_config = tfds.download.DownloadConfig(
      manual_dir=manual_dir, beam_options=beam_options)
  try:
    builder.download_and_prepare(download_config=download_config)
  except AssertionError as e:  # TFDS: manual_dir missing or empty.
    raise DatasetError(str(e)) from e
  return builder


def kept_renderings(builder) -> str:
  """Where a corpus_genre build keeps music21's renderings: under the
  downloads/ of its TFDS data_dir (builder.data_dir_root)."""
  from tfds_builders.corpus_genre import corpus_genre_dataset_builder  # pylint: disable=import-outside-toplevel
  return corpus_genre_dataset_builder.kept_renderings(builder.data_dir_root)


def get_vocabulary(builder) -> vocabulary.Vocabulary:
  """The vocabulary (events + this dataset's genre tokens) of a builder."""
  return vocabulary.Vocabulary(builder.info.features['genre'].names)


def genre_ids(builder, genres) -> list:
  """ClassLabel indices of genre names; a clear error for unknown ones."""
  vocab = get_vocabulary(builder)
  try:
    return [vocab.genre_id(g) for g in genres]
  except ValueError as e:
    raise DatasetError(f'{builder.info.full_name}: {e}') from e


def genre_counts(builder, split: str = 'train') -> dict:
  """{genre name: examples of `split`} (only the genre field is decoded)."""
  names = builder.info.features['genre'].names
  labels = builder.as_dataset(
      split=split, decoders=tfds.decode.PartialDecoding({'genre': True}))
  counts = np.bincount([int(ex['genre']) for ex in labels.as_numpy_iterator()],
                       minlength=len(names))
  return dict(zip(names, counts.tolist()))


def genre_weights(counts: dict, power: float) -> dict:
  """{genre: share of training draws} proportional to count ** power.

  power 1: as the data come; 0: every genre (with examples) equally.
  """
  present = {g: n for g, n in counts.items() if n > 0}
  raw = {g: float(n) ** power for g, n in present.items()}
  total = sum(raw.values())
  return {g: value / total for g, value in raw.items()}
