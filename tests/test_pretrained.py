"""The pretrained starting point: export, start a run from it, refuse misfits.

And the generator that ships: it fits the `small` config and the embedded
dataset's vocabulary, and scores its card's NLL per genre on that dataset.
"""

import dataclasses
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import pretrained
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import run_lib

GENRES = ('classical', 'folk', 'early')
VOCAB_SIZE = vocab.Vocabulary(GENRES).size


def _dataset_fn():
  data = np.random.default_rng(0).integers(
      vocab.NUM_RESERVED, vocab.GENRE_OFFSET, (16, 33)).astype(np.int32)
  data[:, 0] = vocab.GENRE_OFFSET
  return lambda context: tf.data.Dataset.from_tensor_slices(data).repeat(
      ).batch(4)


@pytest.fixture(name='shipped')
def _shipped(tmp_path):
  """(config, directory): a tiny generator trained 6 steps and exported."""
  config = configs.get_config('tiny')
  trainer = mle.MleTrainer(config, VOCAB_SIZE, str(tmp_path / 'pretrain'))
  trainer.train(_dataset_fn(), 6)
  directory = str(tmp_path / 'pretrained')
  card = pretrained.export(trainer.model, config, GENRES, 6,
                           {'dataset': 'test/1.0.0', 'validation_nll': 4.2},
                           directory)
  assert card['step'] == 6 and card['weights_dtype'] == 'float16'
  assert card['fits']['genres'] == list(GENRES)
  return config, directory, trainer.model.get_weights()


@pytest.mark.eager
def test_a_new_run_starts_from_the_shipped_generator(shipped, tmp_path):
  config, directory, weights = shipped
  trainer = mle.MleTrainer(config, VOCAB_SIZE, str(tmp_path / 'run'))
  lines = []
  card = pretrained.initialize(trainer, config, GENRES, 'auto', directory,
                               log=lines.append)
  assert card['step'] == 6 and 'pretrained' in lines[0]
  for got, want in zip(trainer.model.get_weights(), weights):
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)  # float16
  assert trainer.step == 6  # the schedule continues
  # Adam's moments are fresh, so it counts its own steps from 0 (else its
  # bias correction would make the first updates 2-4x the learning rate).
  assert int(trainer.optimizer.iterations) == 0
  assert trainer.manager.latest_checkpoint.endswith('ckpt-6')
  assert trainer.train(_dataset_fn(), 4)['step'] == 6  # nothing to train
  assert trainer.train(_dataset_fn(), 8)['step'] == 8
  assert int(trainer.optimizer.iterations) == 2
  np.testing.assert_allclose(  # the schedule at the global step
      float(trainer.optimizer.learning_rate), float(trainer.schedule(8)),
      rtol=1e-6)
  # Resuming that model_dir restores its own checkpoint, not the shipped one.
  again = mle.MleTrainer(config, VOCAB_SIZE, str(tmp_path / 'run'))
  assert pretrained.initialize(again, config, GENRES, 'pretrained',
                               directory) is None and again.step == 8
  # scratch: untouched.
  fresh = mle.MleTrainer(config, VOCAB_SIZE, str(tmp_path / 'scratch'))
  assert pretrained.initialize(fresh, config, GENRES, 'scratch',
                               directory) is None and fresh.step == 0


def test_a_misfit_is_refused_or_skipped_with_one_line(shipped, tmp_path):
  config, directory, _ = shipped
  other = dataclasses.replace(config, transformer=dataclasses.replace(
      config.transformer, num_layers=3))
  for run_config, genres, what in ((other, GENRES, 'model'),
                                   (other, ('folk', 'jazz'), 'model')):
    trainer = mle.MleTrainer(run_config, vocab.Vocabulary(genres).size,
                             str(tmp_path / what))
    with pytest.raises(ValueError, match=f'{what} .*--init_from=scratch'):
      pretrained.initialize(trainer, run_config, genres, 'pretrained',
                            directory)
    lines = []
    assert pretrained.initialize(trainer, run_config, genres, 'auto',
                                 directory, log=lines.append) is None
    assert len(lines) == 1 and 'training from scratch' in lines[0]
    assert 'genres' not in lines[0]  # Other genres alone would fit.
    assert trainer.step == 0
  with pytest.raises(ValueError, match='--init_from=scratch'):
    pretrained.initialize(mle.MleTrainer(config, VOCAB_SIZE,
                                         str(tmp_path / 'none')),
                          config, GENRES, 'pretrained', str(tmp_path / 'x'))
  with pytest.raises(ValueError, match='scratch'):
    pretrained.initialize(mle.MleTrainer(config, VOCAB_SIZE,
                                         str(tmp_path / 'bad')),
                          config, GENRES, 'latest', directory)


def test_genre_rows_keep_known_genres_and_mark_new_ones():
  rows = pretrained.genre_rows(GENRES, ('jazz', 'classical', 'early'))
  assert rows[:vocab.GENRE_OFFSET] == list(range(vocab.GENRE_OFFSET))
  assert rows[vocab.GENRE_OFFSET:] == [None, vocab.GENRE_OFFSET,
                                       vocab.GENRE_OFFSET + 2]


def _vocabulary_weights(weights):
  """(embedding [V, d], logits kernel [d, V], logits bias [V]) of the
  Music Transformer's get_weights(): its first and its last two."""
  assert weights[0].ndim == 2 and weights[-1].shape == (
      weights[-2].shape[1],) == (weights[0].shape[0],)
  return weights[0], weights[-2], weights[-1]


@pytest.mark.eager
@pytest.mark.parametrize('genres', [
    ('blues', 'folk', 'jazz', 'classical'),  # two new, a larger vocabulary
    ('early', 'classical', 'folk'),  # the card's genres in another order
    ('jazz', 'folk', 'blues'),  # as many genres, two of them new
])
def test_a_dataset_of_other_genres_starts_from_the_shipped_generator(
    shipped, tmp_path, genres):
  """Events keep their rows; a genre the card knows by name takes its row,
  a new one the mean of the card's genre rows, in the embedding and in
  the output layer; every other weight is the card's."""
  config, directory, weights = shipped
  trainer = mle.MleTrainer(config, vocab.Vocabulary(genres).size,
                           str(tmp_path / 'run'))
  lines = []
  card = pretrained.initialize(trainer, config, genres, 'pretrained',
                               directory, log=lines.append)
  assert card['step'] == 6 and trainer.step == 6
  new = [genre for genre in genres if genre not in GENRES]
  assert (f'New to it: {", ".join(new)}' in lines[0]) == bool(new)
  old = _vocabulary_weights(weights)
  got = _vocabulary_weights(trainer.model.get_weights())
  for old_rows, got_rows in ((old[0], got[0]), (old[1].T, got[1].T),
                             (old[2], got[2])):
    assert got_rows.shape[0] == vocab.Vocabulary(genres).size
    np.testing.assert_allclose(got_rows[:vocab.GENRE_OFFSET],
                               old_rows[:vocab.GENRE_OFFSET], atol=1e-3)
    for index, genre in enumerate(genres):
      want = (old_rows[vocab.GENRE_OFFSET + GENRES.index(genre)]
              if genre in GENRES else
              old_rows[vocab.GENRE_OFFSET:].mean(axis=0))
      np.testing.assert_allclose(got_rows[vocab.GENRE_OFFSET + index],
                                 want, atol=1e-3, err_msg=genre)
  for value, want in zip(trainer.model.get_weights()[1:-2], weights[1:-2]):
    np.testing.assert_allclose(value, want, atol=1e-3)
  assert trainer.train(_dataset_fn(), 8)['step'] == 8  # It trains on.


def test_damaged_weights_are_refused(shipped, tmp_path):
  config, directory, _ = shipped
  weights, _ = pretrained.paths(config.name, directory)
  with open(weights, 'r+b') as f:
    f.seek(200)
    f.write(b'\x00\x01\x02\x03')
  trainer = mle.MleTrainer(config, VOCAB_SIZE, str(tmp_path / 'run'))
  with pytest.raises(ValueError, match='sha256'):
    pretrained.initialize(trainer, config, GENRES, 'auto', directory)


@pytest.mark.slow
def test_the_shipped_small_generator_fits_and_scores_its_card(
    corpus_small_builder):
  """Whatever it learned from, the card's NLL per genre on the embedded
  dataset's validation and test music is what the shipped weights score."""
  card = pretrained.read_card('small')
  assert card is not None, 'no pretrained small generator ships'
  config = configs.get_config('small')
  genres = datasets.get_vocabulary(corpus_small_builder).genres
  assert pretrained.mismatch(card, config, genres) == ''
  model = generators.build(config, vocab.Vocabulary(genres).size)
  pretrained.load_weights(model, 'small')
  reference = card['reference_nll']
  assert reference['dataset'] == corpus_small_builder.info.full_name
  for split in ('validation', 'test'):
    for genre, data in likelihood.genre_batches(
        corpus_small_builder, split, config, reference['batches']).items():
      assert likelihood.mean_nll(model, data) == pytest.approx(
          reference[split][genre], rel=0.02), (split, genre)
  if card['dataset'] == corpus_small_builder.info.full_name:
    eval_data = pipeline.eval_dataset(
        corpus_small_builder.as_dataset(split=card['eval_split']),
        config.max_len, config.batch_size).take(20)
    # Float16 weights and float32 evaluation vs the bf16 run's own number.
    assert likelihood.mean_nll(model, eval_data) == pytest.approx(
        card['validation_nll'], rel=0.02)
  with open(pretrained.paths('small')[1]) as f:
    assert json.load(f)['sha256'] == card['sha256']
  assert os.path.getsize(pretrained.paths('small')[0]) < 10e6


@pytest.mark.eager
def test_a_run_exports_a_card_with_its_nll_per_genre(folders_builder,
                                                      tmp_path):
  """export_pretrained measures the float16 weights users get, per genre on
  the reference dataset's validation and test music; the numbers are what
  the shipped weights score when loaded."""
  config = configs.get_config('tiny')
  vocabulary = datasets.get_vocabulary(folders_builder)
  model_dir = str(tmp_path / 'run')
  run_lib.check_model_dir(model_dir, 'tiny', vocabulary.genres)
  result = run_lib.run_mle(config, folders_builder, vocabulary, model_dir, 3,
                           tf.distribute.get_strategy(), eval_batches=1,
                           init_from='scratch')
  directory = str(tmp_path / 'pretrained')
  card = run_lib.export_pretrained(model_dir, config, folders_builder, result,
                                   directory, 'test command',
                                   reference=folders_builder)
  reference = card['reference_nll']
  assert reference['dataset'] == folders_builder.info.full_name
  assert card['started_at_step'] == 0 and card['step'] == 3
  assert pretrained.read_card('tiny', directory)['augmentation'] == {
      'stretch_factors': [0.95, 0.975, 1.0, 1.025, 1.05],
      'max_transpose': 3}  # tiny's
  model = generators.build(config, vocabulary.size)
  pretrained.load_weights(model, 'tiny', directory)
  for split in ('validation', 'test'):
    assert set(reference[split]) == set(vocabulary.genres)
    for genre, data in likelihood.genre_batches(
        folders_builder, split, config, reference['batches']).items():
      assert reference[split][genre] == pytest.approx(
          likelihood.mean_nll(model, data), rel=1e-4)
  assert run_lib.reference_nll(model, config, ('jazz',),
                               folders_builder) is None
