"""What every generator family is: the contract MLE, the GAN stage, sampling,
generation and evaluation rely on (generators.py lists the families).

  model(inputs, training)            int [B, L] or float [B, L, V] (soft
                                     one-hots) -> float32 logits [B, L, V];
                                     position 0 holds the genre token
  model.init_cache(batch, max_len)   decoding state (a nested structure)
  model.call_cached(x, cache, t)     int [B] or float [B, V] at position t
                                     -> (float32 logits [B, V], cache)
  model.vocab_size, model.max_len    V, the training sequence length
  model.hidden_size                  D of the learning-rate schedule
  model.max_positions                longest rollout (None: unlimited)
"""

import keras
from keras import ops


class Generator(keras.Model):
  """Base class of the generator families; subclasses set the attributes
  above in __init__ and implement call, init_cache and call_cached."""

  max_positions = None  # No position limit unless a family sets one.

  def init_cache(self, batch_size, max_len=None):
    raise NotImplementedError

  def call_cached(self, inputs, cache, index):
    raise NotImplementedError

  @staticmethod
  def carry_genre(embedded, genre, index):
    """The genre embedding a cached step conditions on: the input's own at
    position 0 (the genre token), else the one carried in the cache.

    Args:
      embedded: float [B, E], this step's input embedding.
      genre: float [B, E], the cached genre embedding.
      index: int scalar, this step's position.
    """
    return ops.where(ops.equal(index, 0), embedded, genre)
