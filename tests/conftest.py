"""Shared fixtures: real music from music21's corpus, a built corpus_genre."""

import multiprocessing
import os

import pytest
import tensorflow as tf

# Two logical CPU devices, before TF initialises, for tf.distribute tests.
_CPUS = tf.config.list_physical_devices('CPU')
tf.config.set_logical_device_configuration(
    _CPUS[0], [tf.config.LogicalDeviceConfiguration()] * 2)


def _piece_midi(piece):
  from genre_transformer_gan.data import corpus_lib  # pylint: disable=import-outside-toplevel
  try:
    return piece.id, corpus_lib.piece_to_midi(piece)
  except Exception:  # pylint: disable=broad-except
    return piece.id, None


@pytest.fixture(scope='session')
def corpus_midi():
  """{piece id: MIDI bytes} for >= 200 pieces of real music (3 genres)."""
  from genre_transformer_gan.data import corpus_lib  # pylint: disable=import-outside-toplevel
  pieces = corpus_lib.list_pieces(max_per_genre=72, max_file_bytes=20_000)
  with multiprocessing.get_context('spawn').Pool(2) as pool:
    converted = pool.map(_piece_midi, pieces, chunksize=4)
  midi = {piece_id: data for piece_id, data in converted if data}
  assert len(midi) >= 200, len(midi)
  return midi


@pytest.fixture(scope='session')
def corpus_small_builder(tmp_path_factory):
  """corpus_genre/small built from an empty data_dir (about a minute)."""
  from genre_transformer_gan import datasets  # pylint: disable=import-outside-toplevel
  data_dir = tmp_path_factory.mktemp('tfds_data')
  return datasets.get_builder('corpus_genre/small', data_dir=os.fspath(data_dir))


@pytest.fixture(scope='session')
def corpus_data_dir(corpus_small_builder):
  """The TFDS data_dir that holds corpus_small_builder's data (for commands)."""
  return os.path.dirname(os.path.dirname(os.path.dirname(
      corpus_small_builder.data_dir)))
