"""bench/bench_new_genres.py: a dataset of genres the shipped generator has
not learned, built from held-out pieces, and its NLL curve by steps."""

import os
import sys

import note_seq
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'bench'))
import bench_new_genres  # pylint: disable=g-import-not-at-top,wrong-import-position
import bench_pretrain  # pylint: disable=g-import-not-at-top,wrong-import-position
from genre_transformer_gan import configs  # pylint: disable=g-import-not-at-top,wrong-import-position
from genre_transformer_gan import datasets  # pylint: disable=g-import-not-at-top,wrong-import-position
from genre_transformer_gan.data import vocabulary as vocab  # pylint: disable=g-import-not-at-top,wrong-import-position
from genre_transformer_gan.evaluation import likelihood  # pylint: disable=g-import-not-at-top,wrong-import-position


@pytest.mark.slow
def test_the_folders_hold_the_test_pieces_and_judge_on_validation(
    corpus_data_dir, tmp_path):
  """Every test piece of corpus_genre/small, as MIDI under its genre's new
  name; the reference batches are validation music with the new genre's
  token where the old one was."""
  small = datasets.get_builder('corpus_genre/small', data_dir=corpus_data_dir,
                               build=False)
  genres = datasets.get_vocabulary(small).genres
  want = {}
  for example in small.as_dataset(split='test').as_numpy_iterator():
    name = bench_new_genres.RENAMED[genres[int(example['genre'])]]
    want[name] = want.get(name, 0) + 1
  root = str(tmp_path / 'midi')
  assert bench_new_genres.write_folders(
      corpus_data_dir, root, bench_new_genres.RENAMED) == want
  assert sorted(os.listdir(root)) == sorted(want)
  folder = os.path.join(root, 'tunes')
  first = os.path.join(folder, sorted(os.listdir(folder))[0])
  assert note_seq.midi_file_to_note_sequence(first).notes
  renamed = vocab.Vocabulary(sorted(want))  # midi_folders sorts its genres
  config = configs.get_config('tiny')
  reference = bench_new_genres.renamed_reference(
      corpus_data_dir, config, renamed, bench_new_genres.RENAMED, 1)
  assert sorted(reference) == sorted(genres)
  for genre, batches in reference.items():
    first_tokens = next(iter(batches))[:, 0].numpy()
    assert set(first_tokens) == {
        renamed.genre_token(bench_new_genres.RENAMED[genre])}, genre


@pytest.mark.eager
def test_train_for_steps_measures_the_start_and_stops(folders_builder,
                                                      tmp_path):
  config = configs.get_config('tiny')
  reference = likelihood.genre_batches(folders_builder, 'validation', config,
                                       1)
  points, _, _ = bench_pretrain.train('scratch', config, folders_builder,
                                      reference, float('inf'), 2,
                                      str(tmp_path), steps=3)
  assert [p['added'] for p in points] == [0, 2, 3]
  assert set(points[0]['nll']) == set(reference)
  # A second call with as many steps resumes and trains nothing more.
  again, _, _ = bench_pretrain.train('scratch', config, folders_builder,
                                     reference, float('inf'), 2,
                                     str(tmp_path), steps=3)
  assert [p['added'] for p in again] == [0, 2, 3]
