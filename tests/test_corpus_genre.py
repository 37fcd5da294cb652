"""corpus_genre/small: builds from an empty data_dir, offline."""

import collections

import numpy as np
import pytest
import tensorflow_datasets as tfds

from genre_transformer_gan.data import corpus_lib
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import midi_cache
from genre_transformer_gan.data import near_duplicates
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.data import shipped_renderings
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets
from tfds_builders.corpus_genre import corpus_genre_dataset_builder

# The slow tier: these build the embedded dataset (about 2 minutes).
pytestmark = pytest.mark.slow


def test_small_has_three_genres_with_100_training_pieces(corpus_small_builder):
  builder = corpus_small_builder
  names = builder.info.features['genre'].names
  assert names == list(corpus_lib.GENRES) == ['classical', 'folk', 'early']
  counts = collections.Counter()
  ids = set()
  for split in example_lib.SPLITS:
    for example in tfds.as_numpy(builder.as_dataset(split=split)):
      tokens = example['tokens']
      assert tokens.dtype == np.int32 and len(tokens) > 0
      assert tokens.min() >= vocab.NUM_RESERVED
      assert tokens.max() < vocab.GENRE_OFFSET
      assert example['id'] not in ids
      ids.add(example['id'])
      assert corpus_genre_dataset_builder.split_of(
          example['id'].decode()) == split  # no near-duplicates in small
      counts[(split, names[example['genre']])] += 1
  for genre in names:
    assert counts[('train', genre)] >= 100, counts
  assert datasets.genre_counts(builder) == {
      g: counts[('train', g)] for g in names}
  assert example_lib.read_skip_summary(builder.data_dir)['skipped'] is not None


def test_small_keeps_its_renderings(corpus_small_builder, corpus_data_dir):
  """One intact rendering per example, under downloads/ or shipped with
  the package, which tokenizes to the example's tokens (a rebuild reads
  them instead of music21)."""
  cache = midi_cache.MidiCache(
      corpus_genre_dataset_builder.kept_renderings(corpus_data_dir))
  config = corpus_small_builder.builder_config
  pieces = {piece.id: piece for piece in corpus_lib.list_pieces(
      config.max_per_genre, config.max_file_bytes)}
  examples = list(tfds.as_numpy(corpus_small_builder.as_dataset(
      split='validation')))
  assert len(examples) > 30
  for example in examples:
    piece = pieces[example['id'].decode()]
    key = corpus_lib.rendering_key(piece)
    data = cache.get(key) or shipped_renderings.get(key)
    assert data is not None, piece.id
    np.testing.assert_array_equal(example_lib.make_example(
        data, example['genre'], piece.id)['tokens'], example['tokens'])


def test_small_feeds_the_pipeline(corpus_small_builder):
  genre_ids = datasets.genre_ids(corpus_small_builder, ['folk'])
  batch = next(iter(pipeline.train_dataset(
      corpus_small_builder.as_dataset(split='train'), max_len=128,
      global_batch_size=4, genre_ids=genre_ids)))
  assert batch.shape == (4, 128)
  assert np.all(batch.numpy()[:, 0] == vocab.GENRE_OFFSET + 1)
  try:
    datasets.genre_ids(corpus_small_builder, ['jazz'])
  except datasets.DatasetError as e:
    assert 'classical, folk, early' in str(e)
  else:
    raise AssertionError('unknown genre accepted')


def test_genre_mapping_is_disjoint_and_documented():
  sources = [s for group in corpus_lib.GENRE_SOURCES.values() for s in group]
  assert len(sources) == len(set(sources))
  readme = open(__file__.replace('tests/test_corpus_genre.py',
                                 'tfds_builders/corpus_genre/README.md')).read()
  for source in sources:
    assert source in readme, source


@pytest.mark.slow
def test_full_config_runs_through_beam(tmp_path, monkeypatch):
  """`full`'s Beam path on a subset, with a broken piece counted (its
  pieces, all `small`'s, read from the renderings the package ships)."""
  pieces = corpus_lib.list_pieces(max_per_genre=10, max_file_bytes=20_000)
  broken = corpus_lib.Piece('folk', 'ryansMammoth/no_such_tune.abc')
  monkeypatch.setattr(corpus_lib, 'list_pieces',
                      lambda *args, **kwargs: pieces + [broken])
  builder = datasets.get_builder('corpus_genre/full', data_dir=str(tmp_path))
  total = sum(info.num_examples for info in builder.info.splits.values())
  summary = example_lib.read_skip_summary(builder.data_dir)
  assert total + sum(summary['skipped'].values()) == len(pieces) + 1
  assert summary['skipped']['score_error'] >= 1
  assert total >= 25
  assert str(builder.version) == '1.4.0'
  # One conversion feeds the three splits; the splits Beam assigned are the
  # library's: near-duplicates together, `small`'s (here: the same pieces)
  # held-out pieces held out.
  keys, split_of = {}, {}
  for split in builder.info.splits:
    for example in tfds.as_numpy(builder.as_dataset(split=split)):
      piece_id = example['id'].decode('utf-8')
      keys[piece_id] = near_duplicates.keys_of_tokens(example['tokens'])
      split_of[piece_id] = split
  assert split_of == corpus_genre_dataset_builder.splits_of_keys(
      keys, [piece.id for piece in pieces])
