"""The n-gram cache fitted to the generator genre_gan_train trained.

A genre drawn with the n-gram cache (SamplingConfig.cache_weights_for) is
drawn at CACHE_FIT_SCALE of the weights fitted by NLL on the genre's
validation music to the run's own generator, not at the config's, which
were fitted to `small`'s default genre stage: a run that trains its
generator otherwise (other music, more steps, another config) gets weights
of its own. They are written beside the stage's checkpoints
(run_layout.ngram_cache_file) for the checkpoint they were fitted to, and
generator_io.load_generator draws that checkpoint with them, so
genre_gan_generate and genre_gan_evaluate draw what the report judged.
"""

import dataclasses
import os
import time

from genre_transformer_gan import run_layout
from genre_transformer_gan.configs import CACHE_FIT_SCALE
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.models import ngram_cache

FIT_SPLIT = 'validation'


def fitted_weights(generator, music, genre: str, config, fade: float,
                   scale: float = CACHE_FIT_SCALE):
  """(weights drawn: `scale` of the fitted, the fitted weights, the
  generator's NLL, the NLL at the fitted weights) of the cache faded by
  `fade`, fitted to `generator` by NLL on FIT_SPLIT music of `genre`."""
  fitted, nll, fitted_nll = ngram_cache.fit_to_music(
      generator, likelihood.music_batches(music, genre, FIT_SPLIT, config),
      fade)
  return ngram_cache.scaled(fitted, scale), fitted, nll, fitted_nll


def fit_for_stage(config, generator, music, genre: str, stage_dir: str,
                  checkpoint_prefix: str, log=print):
  """config, drawing `genre` at the cache fitted to `generator`.

  Args:
    config: the run's configs.Config; nothing is fitted unless its sampling
      draws `genre` with the cache.
    generator: the stage's generator, restored from checkpoint_prefix.
    music: real_data.RealMusic of the run's dataset.
    genre: the target genre.
    stage_dir: the stage's folder (its ngram_cache.json is written there).
    checkpoint_prefix: the checkpoint `generator` was restored from.
    log: where the one-line summary goes.

  Returns:
    config with the fitted weights for `genre`; config itself if the genre
    is not drawn with the cache or has no validation music (then the
    config's weights are drawn, and a line says so).
  """
  if not config.sampling.cache_weights_for(genre):
    return config
  if FIT_SPLIT not in music.splits or not len(music.tokens(FIT_SPLIT, genre)):
    log(f'No {FIT_SPLIT} music of {genre} to fit the n-gram cache to: '
        "drawn at the config's weights.")
    return config
  start = time.time()
  fade = config.sampling.cache_fade
  weights, fitted, nll, fitted_nll = fitted_weights(generator, music, genre,
                                                    config, fade)
  ngram_cache.write_fitted(
      run_layout.ngram_cache_file(stage_dir), genre, weights, fade,
      os.path.basename(checkpoint_prefix), fitted_weights=list(fitted),
      scale=CACHE_FIT_SCALE, music=f'{music.name} {FIT_SPLIT}', nll=nll,
      fitted_nll=fitted_nll)
  log(f'n-gram cache fitted on {genre}\'s {FIT_SPLIT} music in '
      f'{time.time() - start:.0f} s: NLL {nll:.3f} alone, {fitted_nll:.3f} '
      f'at the fitted weights; drawn at {CACHE_FIT_SCALE} of them, faded '
      f'{fade} per repeat.')
  return dataclasses.replace(config, sampling=config.sampling.with_genre_cache(
      genre, weights))
