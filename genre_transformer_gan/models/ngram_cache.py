"""An n-gram cache over a sequence's own past: what came after this before.

Music repeats itself: a motif, a bar, a phrase. A generator trained by
maximum likelihood on short crops predicts such repeats less often than they
occur. The cache is the classic remedy of language models (Kuhn & De Mori
1990's cache model), here in log-linear form: each next token's logit gets
a bonus for having followed the current context before,

  logits'(v) = logits(v) + sum_k w_k p_k(v),

where for each context length k in ORDERS, p_k is the distribution of the
tokens that followed earlier occurrences of the last k tokens (all zeros if
there were none), times fade ** (n_k - 1) for a context heard n_k times
(fade 1: none). The weights w >= 0 (one per order) are fitted by NLL on
held-out music (`fit_to_music`), so the boosted model is a better model of
that music than the generator alone. Sampled at those weights, a sample's
own repeats feed the cache that draws its next token and it loops, which
teacher-forced NLL never sees; so samples are drawn at a fraction of them,
and the fade stops a loop from feeding itself (configs.py says which,
chosen by how often the samples repeat against real music).

The log-linear form keeps what the generator rules out unlikely: a NOTE_OFF
the generator expects stays expected. The linear mixture
(1 - sum w) p_model + sum w p_k lowers NLL about as much but gives the
cache's copy its probability whatever the generator thinks, and its samples
held notes four times as long and were told from real music far more
easily (BENCHMARKS.md, "Music that repeats itself").

Contexts never include position 0 (the genre token of a window). Sequences
are int [B, L] token rows; `step_distributions` serves the sampler (one
position of a buffer), `sequence_distributions` teacher-forced NLL (every
position at once); `reference_probabilities` is their NumPy oracle.
"""

import collections
from typing import Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf
from scipy import optimize

from genre_transformer_gan import atomic_files
from genre_transformer_gan.configs import CACHE_MAX_WEIGHT as MAX_WEIGHT
from genre_transformer_gan.configs import CACHE_ORDERS as ORDERS
from genre_transformer_gan.configs import check_cache_fade
from genre_transformer_gan.configs import check_cache_weights
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import losses


def _orders_matches(equal, longest: int):
  """[K, ...] bool: for each order k, the AND of equal(o) for o < k."""
  matches, match = [], None
  for offset in range(longest):
    match = equal(offset) if match is None else match & equal(offset)
    if offset + 1 in ORDERS:
      matches.append(match)
  return tf.stack(matches)


def _faded(counts, fade: float):
  """counts [..., V] -> distributions, times fade ** (occurrences - 1)."""
  fade = check_cache_fade(fade)
  occurrences = tf.reduce_sum(counts, -1, keepdims=True)
  distributions = tf.math.divide_no_nan(counts, occurrences)
  if fade == 1.0:
    return distributions
  return distributions * tf.pow(tf.constant(fade, tf.float32),
                                tf.maximum(occurrences - 1.0, 0.0))


def step_distributions(buffer, t, vocab_size: int, fade: float = 1.0):
  """The cache's next-token distributions at position t of a buffer.

  Args:
    buffer: int32 [B, L]; tokens buffer[:, :t + 1] are known.
    t: int32 scalar: the next token is buffer's position t + 1.
    vocab_size: V.
    fade: each distribution is multiplied by fade ** (n - 1), n the
      earlier occurrences of its context (module docstring).

  Returns:
    float32 [B, K, V], K = len(ORDERS): for each order, the distribution of
    what followed the earlier occurrences of its context (all zeros if
    there were none), faded.
  """
  batch, length = tf.shape(buffer)[0], tf.shape(buffer)[1]
  j = tf.range(length)

  def equal(offset):  # [B, L]: buffer[:, j - offset] == buffer[:, t - offset]
    shifted = tf.roll(buffer, offset, axis=1)
    return ((shifted == buffer[:, t - offset][:, None]) &
            (j - offset >= 1)[None] & (t - offset >= 1))

  matches = _orders_matches(equal, max(ORDERS))  # [K, B, L]
  matches &= (j < t)[None, None]  # What followed is known.
  following = tf.roll(buffer, -1, axis=1)  # [B, L]: buffer[:, j + 1]
  orders = len(ORDERS)
  segments = ((tf.range(orders)[:, None, None] * batch +
               tf.range(batch)[None, :, None]) * vocab_size +
              following[None])
  counts = tf.reshape(tf.math.unsorted_segment_sum(
      tf.reshape(tf.cast(matches, tf.float32), [-1]),
      tf.reshape(segments, [-1]), orders * batch * vocab_size),
                      [orders, batch, vocab_size])
  return tf.transpose(_faded(counts, fade), [1, 0, 2])


def boost_logits(logits, distributions, weights: Sequence[float]):
  """The boosted logits (module docstring).

  Args:
    logits: float [..., V], the model's.
    distributions: float [..., K, V] of `step_distributions` ([B, K, V])
      or `sequence_distributions` ([B, L - 1, K, V]).
    weights: K floats >= 0 (stage_configs.check_cache_weights).

  Returns:
    float32 [..., V].
  """
  return tf.cast(logits, tf.float32) + tf.einsum(
      'k,...kv->...v', tf.constant(weights, tf.float32), distributions)


def sequence_distributions(tokens, vocab_size: int, fade: float = 1.0):
  """Teacher-forced: each order's distribution at every position.

  Args:
    tokens: int32 [B, L].
    vocab_size: V.
    fade: as step_distributions'.

  Returns:
    float32 [B, L - 1, K, V]: at position t, from tokens[:, :t + 1], the
    distribution of what followed earlier occurrences of each order's
    context (zeros where none), as step_distributions at t.
  """
  tokens = tf.convert_to_tensor(tokens, tf.int32)
  length = tf.shape(tokens)[1]
  position = tf.range(length)
  same = tokens[:, :, None] == tokens[:, None, :]  # [B, t, j]

  def equal(offset):  # [B, t, j]: tokens[t - o] == tokens[j - o], both >= 1
    shifted = tf.pad(same, [[0, 0], [offset, 0], [offset, 0]])[
        :, :length, :length]
    inside = (position - offset >= 1)
    return shifted & inside[None, :, None] & inside[None, None, :]

  matches = _orders_matches(equal, max(ORDERS))  # [K, B, t, j]
  matches &= (position[None, :] < position[:, None])[None, None]  # j < t
  following = tf.one_hot(tf.roll(tokens, -1, axis=1), vocab_size)  # [j+1]
  counts = tf.einsum('kbtj,bjv->btkv', tf.cast(matches, tf.float32),
                     following)
  return _faded(counts, fade)[:, :-1]


def boosted_losses(model, sequences, weights: Sequence[float],
                   fade: float = 1.0):
  """next_token_nll's per-token losses of the boosted model.

  Args:
    model: maps int [B, L - 1] to logits [B, L - 1, V].
    sequences: int [B, L], genre token first.
    weights: K floats >= 0.
    fade: as step_distributions'.

  Returns:
    (float32 [B, L - 1] losses, float32 [B, L - 1] mask of non-PAD
     targets), as losses.token_cross_entropy.
  """
  sequences = tf.convert_to_tensor(sequences, tf.int32)
  logits = tf.cast(model(sequences[:, :-1], training=False), tf.float32)
  boosted = boost_logits(logits, sequence_distributions(
      sequences, logits.shape[-1], fade), weights)
  return losses.token_cross_entropy(boosted, sequences[:, 1:])


def reference_probabilities(row: Sequence[int], fade: float = 1.0):
  """NumPy oracle for one row, by counting in dictionaries: ([L - 1, K]
  each order's probability of the token that did follow each position,
  faded, [L - 1, K] whether the order's context occurred before)."""
  row = [int(x) for x in row]
  tables = {k: collections.defaultdict(collections.Counter) for k in ORDERS}
  probabilities = np.zeros([len(row) - 1, len(ORDERS)], np.float32)
  hits = np.zeros([len(row) - 1, len(ORDERS)], bool)
  for t in range(len(row) - 1):
    for i, k in enumerate(ORDERS):
      if t - k >= 1:  # The context ending at t - 1 and what followed it.
        tables[k][tuple(row[t - k:t])][row[t]] += 1
      seen = tables[k].get(tuple(row[t - k + 1:t + 1])) if t - k >= 0 else None
      if seen:
        hits[t, i] = True
        occurrences = sum(seen.values())
        probabilities[t, i] = (seen[row[t + 1]] / occurrences *
                               fade ** (occurrences - 1))
  return probabilities, hits


def fit_to_music(model, batches, fade: float = 1.0, max_tokens: int = 30000
                 ) -> Tuple[Tuple[float, ...], float, float]:
  """(weights, the model's NLL, the boosted model's NLL) on int [B, L]
  batches of held-out music (pipeline.eval_dataset; its first max_tokens
  predicted tokens) with the cache faded by `fade`: the weights of least
  NLL (a convex problem, solved by L-BFGS-B), rounded to 3 decimals."""
  step = tf.function(lambda batch: (
      tf.cast(model(batch[:, :-1], training=False), tf.float32),
      sequence_distributions(batch, model.vocab_size, fade)),
                     autograph=False)
  logits, distributions, targets = [], [], []
  count = 0
  for batch in batches:
    batch_logits, batch_distributions = step(batch)
    batch_targets = batch.numpy()[:, 1:]
    keep = batch_targets != vocab.PAD_ID
    logits.append(batch_logits.numpy()[keep])
    distributions.append(batch_distributions.numpy()[keep])
    targets.append(batch_targets[keep])
    count += int(keep.sum())
    if count >= max_tokens:
      break
  logits = np.concatenate(logits)[:max_tokens]
  distributions = np.concatenate(distributions)[:max_tokens]
  targets = np.concatenate(targets)[:max_tokens]
  rows = np.arange(len(targets))
  played = distributions[rows, :, targets].sum(0, dtype=np.float64)  # [K]

  def nll_and_gradient(weights):  # float32 arrays, float64 sums
    boosted = logits + np.einsum('k,nkv->nv', weights.astype(np.float32),
                                 distributions)
    boosted -= boosted.max(-1, keepdims=True)
    log_q = boosted - np.log(np.exp(boosted).sum(-1, keepdims=True))
    nll = -log_q[rows, targets].mean(dtype=np.float64)
    expected = np.einsum('nv,nkv->k', np.exp(log_q), distributions,
                         dtype=np.float64)
    return nll, (expected - played) / len(targets)

  result = optimize.minimize(nll_and_gradient, np.zeros(len(ORDERS)),
                             jac=True, method='L-BFGS-B',
                             bounds=[(0.0, MAX_WEIGHT)] * len(ORDERS))
  weights = check_cache_weights(np.round(result.x, 3))
  return (weights, float(nll_and_gradient(np.zeros(len(ORDERS)))[0]),
          float(nll_and_gradient(np.asarray(weights))[0]))


def scaled(weights, scale: float) -> Tuple[float, ...]:
  """The weights times `scale`, rounded to 3 decimals as fit_to_music's."""
  return check_cache_weights(round(float(w) * scale, 3) for w in weights)


def write_fitted(path: str, genre: str, weights, fade: float,
                 checkpoint: str, **details) -> None:
  """Writes the cache fitted to a generator's `checkpoint` (its prefix's
  basename, e.g. ckpt-8600) for drawing `genre` (read_fitted reads it)."""
  atomic_files.write_json(path, {
      'genre': genre, 'weights': list(check_cache_weights(weights)),
      'fade': check_cache_fade(fade), 'checkpoint': checkpoint, **details})


def read_fitted(path: str) -> Optional[dict]:
  """{'genre', 'weights', 'fade', 'checkpoint', ...} of write_fitted's file,
  or None if there is none.

  Raises:
    ValueError: an unreadable file (one line naming the fix).
  """
  if not tf.io.gfile.exists(path):
    return None
  what = 'fitted n-gram cache'
  fix = ('delete it (the generator is then drawn with its config\'s cache) '
         'or run genre_gan_train again to refit it')
  fitted = atomic_files.read_json(path, what, fix, keys=(
      'genre', 'weights', 'fade', 'checkpoint'))
  try:
    fitted['weights'] = check_cache_weights(fitted['weights'])
    fitted['fade'] = check_cache_fade(fitted['fade'])
    if not (isinstance(fitted['genre'], str) and
            isinstance(fitted['checkpoint'], str)):
      raise ValueError('genre and checkpoint must be names')
  except (ValueError, TypeError) as e:
    raise ValueError(f'{path} is not a readable {what} ({e}); {fix}.'
                     ) from None
  return fitted
