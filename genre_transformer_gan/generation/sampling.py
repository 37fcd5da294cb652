"""Cached sampling from any generator family (models/generators.py), compiled.

`generate(model, prompts, num_tokens, ...)` continues int prompts
[B, P] (genre token first, optionally followed by a primer) by `num_tokens`
event tokens. Only event tokens are sampled (never PAD, EOS or a genre
token).

Inside the training length (`model.max_len`) one compiled `tf.while_loop`
feeds the prompt through the cache and then samples, one cached step per
token. Longer generation uses a sliding window: when the window is full, the
model is re-primed with [genre token] + the last `max_len // 2 - 1` tokens
(fed through a fresh cache) and sampling goes on, so every prediction sees
between max_len / 2 and max_len tokens of context and positions never exceed
what the model was trained on. The LSTM and WaveNet families slide the same
way (their state is rebuilt from the window), so every family predicts from
contexts of the lengths it was trained on.
"""

from typing import Optional

import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import vocabulary as vocab


def filter_logits(logits, temperature=1.0, top_k=0, top_p=1.0):
  """Temperature, then top-k, then nucleus (top-p) filtering.

  Args:
    logits: float [B, V].
    temperature: > 0.
    top_k: keep the k most likely tokens (0: all).
    top_p: keep the smallest set of most likely tokens whose probability
      reaches top_p (1.0: all); the most likely token is always kept.

  Returns:
    float [B, V] logits, filtered tokens at -inf.
  """
  logits = tf.convert_to_tensor(logits, tf.float32) / temperature
  neg_inf = tf.fill(tf.shape(logits), float('-inf'))
  if top_k:
    kth = tf.math.top_k(logits, k=top_k).values[:, -1:]
    logits = tf.where(logits < kth, neg_inf, logits)
  if top_p < 1.0:
    sorted_logits = tf.sort(logits, direction='DESCENDING', axis=-1)
    probs = tf.nn.softmax(sorted_logits, axis=-1)
    # Probability mass strictly before each sorted token.
    mass_before = tf.cumsum(probs, axis=-1, exclusive=True)
    cutoff_index = tf.reduce_sum(tf.cast(mass_before < top_p, tf.int32),
                                 axis=-1, keepdims=True) - 1
    cutoff = tf.gather(sorted_logits, cutoff_index, batch_dims=1)
    logits = tf.where(logits < cutoff, neg_inf, logits)
  return logits


class Sampler:
  """Compiled cached sampling for one model (traced once per batch size).

  Args:
    model: a generator (models/generators.py).
    temperature, top_k, top_p: see `filter_logits`.
    jit_compile: compile the loop with XLA.
  """

  def __init__(self, model, temperature=1.0, top_k=0, top_p=1.0,
               jit_compile=False):
    self.model = model
    self.temperature = temperature
    self.top_k = top_k
    self.top_p = top_p
    self._window = tf.function(self._fill_window, jit_compile=jit_compile)

  def _fill_window(self, buffer, context_len, end, seed):
    """Feeds buffer[:, :context_len] through the cache, samples up to `end`.

    Args:
      buffer: int32 [B, max_len], the context in its first context_len slots.
      context_len: int32 scalar >= 1.
      end: int32 scalar <= max_len: fill the buffer up to this length.
      seed: int32 [2] stateless seed.

    Returns:
      int32 [B, max_len] buffer.
    """
    model = self.model
    batch = tf.shape(buffer)[0]
    cache = model.init_cache(batch, model.max_len)
    allowed = vocab.event_mask(model.vocab_size)

    def step(t, buffer, cache):
      logits, cache = model.call_cached(buffer[:, t], cache, t)
      logits = tf.where(allowed[None], logits, float('-inf'))
      logits = filter_logits(logits, self.temperature, self.top_k, self.top_p)
      step_seed = tf.random.experimental.stateless_fold_in(seed, t)
      sampled = tf.cast(tf.random.stateless_categorical(
          logits, 1, step_seed)[:, 0], tf.int32)
      next_token = tf.where(t + 1 < context_len, buffer[:, t + 1], sampled)
      buffer = tf.tensor_scatter_nd_update(
          buffer, tf.stack([tf.range(batch), tf.fill([batch], t + 1)], 1),
          next_token)
      return t + 1, buffer, cache

    _, buffer, _ = tf.while_loop(
        lambda t, buffer, cache: t < end - 1, step,
        (tf.constant(0), buffer, cache))
    return buffer

  def generate(self, prompts, num_tokens: int, seed: int = 0) -> np.ndarray:
    """Continues prompts by num_tokens event tokens.

    Args:
      prompts: int [B, P] with the genre token at position 0 (P >= 1).
      num_tokens: tokens to add.
      seed: the same seed gives the same samples.

    Returns:
      int32 [B, P + num_tokens].
    """
    tokens = np.asarray(prompts, np.int32)
    if tokens.ndim != 2 or tokens.shape[1] < 1:
      raise ValueError('prompts must be int [batch, length >= 1].')
    max_len = self.model.max_len
    keep = max_len // 2 - 1
    target = tokens.shape[1] + num_tokens
    window_index = 0
    while tokens.shape[1] < target:
      if tokens.shape[1] <= max_len - 1:
        context = tokens
      else:  # Slide: genre token + the most recent tokens.
        context = np.concatenate([tokens[:, :1], tokens[:, -keep:]], 1)
      context_len = context.shape[1]
      end = min(max_len, context_len + target - tokens.shape[1])
      buffer = np.zeros((tokens.shape[0], max_len), np.int32)
      buffer[:, :context_len] = context
      seeds = tf.constant([seed, window_index], tf.int32)
      filled = self._window(tf.constant(buffer), tf.constant(context_len),
                            tf.constant(end), seeds).numpy()
      tokens = np.concatenate([tokens, filled[:, context_len:end]], 1)
      window_index += 1
    return tokens


def generate(model, prompts, num_tokens: int, temperature: float = 1.0,
             top_k: int = 0, top_p: float = 1.0, seed: int = 0,
             sampler: Optional[Sampler] = None) -> np.ndarray:
  """Convenience wrapper: see Sampler.generate."""
  sampler = sampler or Sampler(model, temperature, top_k, top_p)
  return sampler.generate(prompts, num_tokens, seed)
