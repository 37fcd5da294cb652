"""training/cache_fit.py: a run draws the n-gram cache fitted to its own
generator, and only the checkpoint it was fitted to."""

import dataclasses
import json
import os

import pytest

from genre_transformer_gan import configs
from genre_transformer_gan import run_layout
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import ngram_cache
from genre_transformer_gan.training import cache_fit
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import run_lib

DRAWN = (0.3,) * len(configs.CACHE_ORDERS)  # the config's weights


# folders_builder's validation split: 2 pieces of each genre (midi_folders
# keeps 2 of a genre of 10 files or more).


def _config():
  config = configs.get_config('tiny')
  return dataclasses.replace(config, sampling=dataclasses.replace(
      config.sampling, genre_cache_weights=(('folk', DRAWN),
                                            ('classical', DRAWN)),
      cache_fade=0.7))


@pytest.fixture(name='run')
def _run(folders_builder, tmp_path):
  """(config, music, model_dir, trainer): a tiny MLE run at step 0."""
  config, music = _config(), real_data.RealMusic(folders_builder)
  model_dir = str(tmp_path / 'run')
  run_lib.check_model_dir(model_dir, 'tiny', music.genres)
  trainer = mle.MleTrainer(config, vocab.Vocabulary(music.genres).size,
                           model_dir)
  trainer.manager.save(0)
  return config, music, model_dir, trainer


def test_a_run_is_drawn_with_the_cache_fitted_to_its_checkpoint(run):
  config, music, model_dir, trainer = run
  lines = []
  fitted = cache_fit.fit_for_stage(
      config, trainer.model, music, 'folk', model_dir,
      trainer.manager.latest_checkpoint, lines.append)
  with open(run_layout.ngram_cache_file(model_dir)) as f:
    written = json.load(f)
  weights = ngram_cache.scaled(written['fitted_weights'],
                               configs.CACHE_FIT_SCALE)
  assert tuple(written['weights']) == weights != DRAWN
  assert written['checkpoint'] == 'ckpt-0' and written['genre'] == 'folk'
  assert written['fitted_nll'] <= written['nll']
  assert fitted.sampling.cache_for('folk') == {
      'cache_weights': weights, 'cache_fade': 0.7}
  assert fitted.sampling.cache_weights_for('classical') == DRAWN
  assert "folk's validation music" in lines[0]
  # genre_gan_generate and genre_gan_evaluate load it with the checkpoint.
  _, loaded, _ = generator_io.load_generator(model_dir)
  assert loaded.sampling.cache_for('folk') == {
      'cache_weights': weights, 'cache_fade': 0.7}
  # A later checkpoint was not fitted: the config's weights again.
  trainer.manager.save(1)
  _, later, _ = generator_io.load_generator(model_dir)
  assert later.sampling.cache_weights_for('folk') == ()
  assert generator_io.load_generator(os.path.join(
      model_dir, 'checkpoints', 'ckpt-0'))[1].sampling.cache_weights_for(
          'folk') == weights


def test_a_genre_drawn_without_the_cache_fits_nothing(run):
  config, music, model_dir, trainer = run
  assert cache_fit.fit_for_stage(
      config, trainer.model, music, 'early', model_dir,
      trainer.manager.latest_checkpoint) is config
  assert not os.path.exists(run_layout.ngram_cache_file(model_dir))


class _WithoutValidation:
  """RealMusic with no validation music of one genre (a small collection's
  genre the hash left none)."""

  def __init__(self, music, genre):
    self._music, self._genre = music, genre

  def __getattr__(self, name):
    return getattr(self._music, name)

  def tokens(self, split, genre):
    if (split, genre) == ('validation', self._genre):
      return []
    return self._music.tokens(split, genre)


def test_without_validation_music_the_configs_weights_are_drawn(run):
  config, music, model_dir, trainer = run
  music = _WithoutValidation(music, 'classical')
  lines = []
  assert cache_fit.fit_for_stage(
      config, trainer.model, music, 'classical', model_dir,
      trainer.manager.latest_checkpoint, lines.append) is config
  assert lines == ['No validation music of classical to fit the n-gram '
                   "cache to: drawn at the config's weights."]


@pytest.mark.parametrize('text', [
    '{"genre": "folk", "weights": [1, 2], "fade": 0.7, '
    '"checkpoint": "ckpt-0"}', '[1, 2]', 'not json'])
def test_an_unreadable_cache_file_names_the_fix(run, text):
  model_dir = run[2]
  with open(run_layout.ngram_cache_file(model_dir), 'w') as f:
    f.write(text)
  with pytest.raises(ValueError, match='is not a readable fitted n-gram cache .*; '
                     'delete it'):
    generator_io.load_generator(model_dir)
  # genre_gan_train, about to fit it again, does not read it.
  assert generator_io.load_generator(model_dir, fitted_cache=False)[
      1].sampling.cache_weights_for('folk') == configs.get_config(
          'tiny').sampling.cache_weights_for('folk')
