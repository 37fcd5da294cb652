"""Cached sampling from any generator family (models/generators.py), compiled.

`generate(model, prompts, num_tokens, ...)` continues int prompts
[B, P] (genre token first, optionally followed by a primer) by `num_tokens`
event tokens. Only event tokens are sampled (never PAD, EOS or a genre
token).

Inside the training length (`model.max_len`) one compiled `tf.while_loop`
feeds the prompt through the cache and then samples, one cached step per
token. Longer generation uses a sliding window: when the window is full, the
model is re-primed with [genre token] + the most recent tokens (fed through a
fresh cache) and sampling goes on, so positions never exceed what the model
was trained on. The re-primed context keeps at least the last
`max_len // 2 - 1` tokens, and more where a note still sounding began
earlier: it reaches back to the oldest such NOTE_ON within the last
`max_len - 1 - max_len // 4` tokens (`context_length`), so the model still
sees the notes it has to end (a note whose NOTE_ON is cut off is never ended:
it becomes a drone). Each row of a batch slides by its own context. The LSTM
and WaveNet families slide the same way (their state is rebuilt from the
window), so every family predicts from contexts of the lengths it was
trained on.

Classifier-free guidance on the genre token (`guidance_scale` gamma > 0):
every row is also run under each other genre token, and the token is drawn
from l_own + gamma * (l_own - mean l_other) (`guided_logits`), at
(1 + number of other genres) times the cost. generation/guidance.py chooses
between this and best-of-N reranking.

With `cache_weights`, the logits get the bonus of an n-gram cache over the
window's own past (models/ngram_cache.py) before temperature and top-p.
"""

from typing import Optional

import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import ngram_cache


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


def guided_logits(logits, guidance_scale: float):
  """Classifier-free guidance on the genre token.

  Args:
    logits: float [1 + M, B, V]: the next-token logits of each row under its
      own genre token (index 0) and under M other genre tokens.
    guidance_scale: gamma >= 0.

  Returns:
    float [B, V]: l_own + gamma * (l_own - mean over the others of l_other)
    (gamma 0 or M 0: l_own unchanged). Per-row constants do not change the
    sampled distribution, so logits and log-probabilities guide alike.
  """
  own = logits[0]
  if not guidance_scale or logits.shape[0] == 1:
    return own
  return own + guidance_scale * (own - tf.reduce_mean(logits[1:], axis=0))


class Sampler:
  """Compiled cached sampling for one model (traced once per batch size).

  Args:
    model: a generator (models/generators.py).
    temperature, top_k, top_p: see `filter_logits`.
    jit_compile: compile the loop with XLA.
    guidance_scale: classifier-free guidance on the genre token (gamma of
      `guided_logits`; 0: plain sampling).
    other_genre_tokens: the genre tokens guidance steers away from (the
      vocabulary's other genres); each costs one more row per sample.
    cache_weights: the n-gram cache's logit bonus per context length
      (ngram_cache.ORDERS); () draws from the model alone.
    cache_fade: the bonus of a context heard n times before is faded by
      cache_fade ** (n - 1) (ngram_cache.step_distributions).
  """

  def __init__(self, model, temperature=1.0, top_k=0, top_p=1.0,
               jit_compile=False, guidance_scale: float = 0.0,
               other_genre_tokens=(), cache_weights=(),
               cache_fade: float = 1.0):
    self.model = model
    self.temperature = temperature
    self.top_k = top_k
    self.top_p = top_p
    self.guidance_scale = float(guidance_scale)
    self.jit_compile = jit_compile
    self.cache_weights = ngram_cache.check_cache_weights(cache_weights)
    self.cache_fade = ngram_cache.check_cache_fade(cache_fade)
    self.other_genre_tokens = (tuple(int(t) for t in other_genre_tokens)
                               if self.guidance_scale else ())
    if self.guidance_scale < 0:
      raise ValueError('guidance_scale must be >= 0.')
    if self.guidance_scale and not self.other_genre_tokens:
      raise ValueError('Guidance needs other genre tokens to steer from.')
    self._window = tf.function(self._fill_window, jit_compile=jit_compile)

  def _fill_window(self, buffer, context_len, end, seed):
    """Feeds buffer[:, :context_len] through the cache, samples up to `end`.

    Args:
      buffer: int32 [B, max_len], each row's context in its first
        context_len slots.
      context_len: int32 [B], each >= 1.
      end: int32 scalar <= max_len: fill the buffer up to this length.
      seed: int32 [2] stateless seed.

    Returns:
      int32 [B, max_len] buffer.
    """
    model = self.model
    batch = tf.shape(buffer)[0]
    # Guidance: one copy of the rows per other genre token, sampled together
    # (copy 0 is the rows themselves; every copy gets the sampled token).
    copies = 1 + len(self.other_genre_tokens)
    buffer = tf.concat([buffer] + [
        tf.concat([tf.fill([batch, 1], token), buffer[:, 1:]], axis=1)
        for token in self.other_genre_tokens], axis=0)
    context_len = tf.tile(context_len, [copies])
    cache = model.init_cache(batch * copies, model.max_len)
    allowed = vocab.event_mask(model.vocab_size)

    def step(t, buffer, cache):
      logits, cache = model.call_cached(buffer[:, t], cache, t)
      logits = guided_logits(
          tf.reshape(logits, [copies, batch, -1]), self.guidance_scale)
      logits = tf.where(allowed[None], logits, float('-inf'))
      if self.cache_weights:
        logits = ngram_cache.boost_logits(
            logits, ngram_cache.step_distributions(
                buffer[:batch], t, model.vocab_size, self.cache_fade),
            self.cache_weights)
      logits = filter_logits(logits, self.temperature, self.top_k, self.top_p)
      step_seed = tf.random.experimental.stateless_fold_in(seed, t)
      sampled = tf.cast(tf.random.stateless_categorical(
          logits, 1, step_seed)[:, 0], tf.int32)
      sampled = tf.tile(sampled, [copies])
      next_token = tf.where(t + 1 < context_len, buffer[:, t + 1], sampled)
      rows = tf.shape(buffer)[0]
      buffer = tf.tensor_scatter_nd_update(
          buffer, tf.stack([tf.range(rows), tf.fill([rows], t + 1)], 1),
          next_token)
      return t + 1, buffer, cache

    _, buffer, _ = tf.while_loop(
        lambda t, buffer, cache: t < end - 1, step,
        (tf.constant(0), buffer, cache))
    return buffer[:batch]

  def generate(self, prompts, num_tokens: int, seed: int = 0,
               on_window=None) -> np.ndarray:
    """Continues prompts by num_tokens event tokens.

    Args:
      prompts: int [B, P] with the genre token at position 0 (P >= 1).
      num_tokens: tokens to add.
      seed: the same seed gives the same samples.
      on_window: called as on_window(added, num_tokens) after each window
        (the tokens added so far to the shortest row), for progress.

    Returns:
      int32 [B, P + num_tokens].
    """
    tokens = np.asarray(prompts, np.int32)
    if tokens.ndim != 2 or tokens.shape[1] < 1:
      raise ValueError('prompts must be int [batch, length >= 1].')
    max_len = self.model.max_len
    target = tokens.shape[1] + num_tokens
    rows = list(tokens)
    window_index = 0
    while min(len(row) for row in rows) < target:
      contexts = [row if len(row) <= max_len - 1 else np.concatenate(
          [row[:1], row[len(row) - context_length(row, max_len):]])
                  for row in rows]
      context_len = np.array([len(c) for c in contexts], np.int32)
      end = int(min(max_len, np.max(context_len + target -
                                    np.array([len(r) for r in rows]))))
      buffer = np.zeros((len(rows), max_len), np.int32)
      for i, context in enumerate(contexts):
        buffer[i, :len(context)] = context
      seeds = tf.constant([seed, window_index], tf.int32)
      filled = self._window(tf.constant(buffer), tf.constant(context_len),
                            tf.constant(end), seeds).numpy()
      rows = [np.concatenate([row, filled[i, context_len[i]:end]])[:target]
              for i, row in enumerate(rows)]
      window_index += 1
      if on_window is not None:
        on_window(min(len(row) for row in rows) - tokens.shape[1], num_tokens)
    return np.stack(rows)


def context_length(row, max_len: int) -> int:
  """Event tokens of `row` (genre token first) kept when the window slides.

  At least max_len // 2 - 1; more to keep the NOTE_ON of the oldest note
  still sounding, up to max_len - 1 - max_len // 4 (so a window adds at
  least max_len // 4 tokens; a note on for longer is let go).
  """
  shortest = max_len // 2 - 1
  longest = max_len - 1 - max_len // 4
  onsets = [i for i in notes_lib.open_note_onsets(row[1:])
            if i + 1 >= len(row) - longest]
  return max(shortest, len(row) - 1 - onsets[0]) if onsets else shortest


def generate(model, prompts, num_tokens: int, temperature: float = 1.0,
             top_k: int = 0, top_p: float = 1.0, seed: int = 0,
             sampler: Optional[Sampler] = None) -> np.ndarray:
  """Convenience wrapper: see Sampler.generate."""
  sampler = sampler or Sampler(model, temperature, top_k, top_p)
  return sampler.generate(prompts, num_tokens, seed)
