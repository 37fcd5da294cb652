"""A generator's NLL on held-out real music of one genre.

Generators are loaded with models/generator_io.py.
"""

import tensorflow as tf

from genre_transformer_gan import datasets
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.models import losses
from genre_transformer_gan.models import ngram_cache


def genre_nll(model, config, music, genre: str, split: str = 'test',
              max_batches: int = 50, cache_weights=(),
              cache_fade: float = 1.0) -> float:
  """Mean next-token NLL (nats/token) on `split` pieces of `genre`.

  music: the dataset's real music (real_data.RealMusic).
  cache_weights: of the model boosted by models/ngram_cache.py (as
    it is sampled with SamplingConfig.cache_weights and cache_fade); ():
    the model alone.
  """
  return mean_nll(model, music_batches(music, genre, split, config,
                                       max_batches), cache_weights,
                  cache_fade)


def music_batches(music, genre: str, split: str, config,
                  max_batches: int = 50) -> tf.data.Dataset:
  """The int [B, L] batches genre_nll reads: `split`'s pieces of `genre`
  in consecutive chunks (pipeline.eval_dataset), at most max_batches."""
  return pipeline.eval_dataset(
      music.examples(split), config.max_len, config.batch_size,
      genre_ids=music.genre_ids([genre])).take(max_batches)


def genre_batches(builder, split: str, config, max_batches: int) -> dict:
  """{genre: the first max_batches int [B, L] eval batches of `split`'s
  pieces of that genre} for every genre of a TFDS builder (cached: the
  same tokens at every call)."""
  return {genre: pipeline.eval_dataset(
      builder.as_dataset(split=split), config.max_len, config.batch_size,
      genre_ids=datasets.genre_ids(builder, [genre])
  ).take(max_batches).cache()
          for genre in datasets.get_vocabulary(builder).genres}


def mean_nll(model, batches: tf.data.Dataset, cache_weights=(),
             cache_fade: float = 1.0) -> float:
  """Mean next-token NLL (nats/token) over int [B, L] token batches; with
  cache_weights, of the model boosted by the n-gram cache."""
  if cache_weights:
    def nll(batch):
      token_losses, mask = ngram_cache.boosted_losses(
          model, batch, cache_weights, cache_fade)
      return tf.reduce_sum(token_losses), tf.reduce_sum(mask)
  else:
    nll = lambda batch: losses.next_token_nll(model, batch)
  step = tf.function(nll, autograph=False)
  total, count = 0.0, 0.0
  for batch in batches:
    loss_sum, batch_count = step(batch)
    total += float(loss_sum)
    count += float(batch_count)
  return total / max(count, 1.0)
