"""An n-gram cache over a sequence's own past: what came after this before.

Music repeats itself: a motif, a bar, a phrase. A generator trained by
maximum likelihood on short crops predicts such repeats less often than they
occur (on `small`'s classical validation music, mixing in this cache lowers
the shipped generator's NLL by 0.1 nats per token: BENCHMARKS.md, "Music
that repeats itself"). The cache is the classic remedy of language models
(Kuhn & De Mori 1990's cache model; Grave et al. 2017's continuous cache):

  p(x_t+1 | x_..t) = (1 - sum_k w_k h_k) p_model + sum_k w_k h_k p_k,

where for each context length k in ORDERS, p_k is the distribution of the
tokens that followed earlier occurrences of the last k tokens (h_k = 1 if
there were any, else 0 and the order is left out). The weights w (one per
order, sum < 1) are fitted by NLL on held-out music (`fit_weights`), so the
mixture is a better model of that music than the generator alone, and
sampling from it is plain ancestral sampling from that better model.

Contexts never include position 0 (the genre token of a window). Sequences
are int [B, L] token rows; `step_distributions` serves the sampler (one
position of a buffer), `sequence_probabilities` teacher-forced NLL (every
position at once); `reference_probabilities` is their NumPy oracle.
"""

import collections
from typing import Sequence, Tuple

import numpy as np
import tensorflow as tf
from scipy import optimize

from genre_transformer_gan.models import losses
from genre_transformer_gan.stage_configs import CACHE_MAX_WEIGHT
from genre_transformer_gan.stage_configs import CACHE_ORDERS as ORDERS
from genre_transformer_gan.stage_configs import check_cache_weights


def _orders_matches(equal, longest: int):
  """[K, ...] bool: for each order k, the AND of equal(o) for o < k."""
  matches, match = [], None
  for offset in range(longest):
    match = equal(offset) if match is None else match & equal(offset)
    if offset + 1 in ORDERS:
      matches.append(match)
  return tf.stack(matches)


def step_distributions(buffer, t, vocab_size: int):
  """The cache's next-token distributions at position t of a buffer.

  Args:
    buffer: int32 [B, L]; tokens buffer[:, :t + 1] are known.
    t: int32 scalar: the next token is buffer's position t + 1.
    vocab_size: V.

  Returns:
    (float32 [B, K, V] distributions, all zeros for an order without an
     earlier occurrence; bool [B, K] whether the order has one), K =
    len(ORDERS).
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
  totals = tf.reduce_sum(counts, -1, keepdims=True)
  distributions = tf.math.divide_no_nan(counts, totals)
  return (tf.transpose(distributions, [1, 0, 2]),
          tf.transpose(totals[..., 0] > 0))


def mix_logits(logits, distributions, hits, weights: Sequence[float]):
  """log of the mixture (module docstring) as logits.

  Args:
    logits: float [B, V], the model's (any per-row constant).
    distributions, hits: of `step_distributions`.
    weights: K floats (stage_configs.check_cache_weights).

  Returns:
    float32 [B, V] log-probabilities (-inf where both give 0).
  """
  w = tf.constant(weights, tf.float32)[None] * tf.cast(hits, tf.float32)
  mixture = ((1.0 - tf.reduce_sum(w, -1, keepdims=True)) *
             tf.nn.softmax(tf.cast(logits, tf.float32)) +
             tf.einsum('bk,bkv->bv', w, distributions))
  return tf.math.log(mixture)


def sequence_probabilities(tokens):
  """Teacher-forced: each order's probability of every next token.

  Args:
    tokens: int32 [B, L].

  Returns:
    (float32 [B, L - 1, K]: p_k(tokens[:, t + 1]) from tokens[:, :t + 1],
     0 without an earlier occurrence; bool [B, L - 1, K] whether there is
     one).
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
  following = tf.roll(tokens, -1, axis=1)  # tokens[j + 1]
  agrees = following[:, None, :] == following[:, :, None]  # [B, t, j]
  matches = tf.cast(matches, tf.float32)
  hit_counts = tf.reduce_sum(matches, -1)  # [K, B, t]
  agree_counts = tf.reduce_sum(matches * tf.cast(agrees, tf.float32)[None],
                               -1)
  probabilities = tf.math.divide_no_nan(agree_counts, hit_counts)
  return (tf.transpose(probabilities, [1, 2, 0])[:, :-1],
          tf.transpose(hit_counts > 0, [1, 2, 0])[:, :-1])


def mixture_losses(model, sequences, weights: Sequence[float]):
  """next_token_nll's per-token losses of the mixture (module docstring).

  Args:
    model: maps int [B, L - 1] to logits [B, L - 1, V].
    sequences: int [B, L], genre token first.
    weights: K floats (stage_configs.check_cache_weights).

  Returns:
    (float32 [B, L - 1] losses -log p(sequences[:, t + 1]), float32
     [B, L - 1] mask of non-PAD targets), as losses.token_cross_entropy.
  """
  sequences = tf.convert_to_tensor(sequences, tf.int32)
  losses_, mask = losses.token_cross_entropy(
      model(sequences[:, :-1], training=False), sequences[:, 1:])
  probabilities, hits = sequence_probabilities(sequences)
  w = tf.constant(weights, tf.float32) * tf.cast(hits, tf.float32)
  mixture = ((1.0 - tf.reduce_sum(w, -1)) * tf.exp(-losses_) +
             tf.reduce_sum(w * probabilities, -1))
  return -tf.math.log(tf.maximum(mixture, 1e-30)) * mask, mask


def reference_probabilities(row: Sequence[int]):
  """NumPy oracle of sequence_probabilities for one row: ([L - 1, K],
  [L - 1, K]) by counting in dictionaries."""
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
        probabilities[t, i] = seen[row[t + 1]] / sum(seen.values())
  return probabilities, hits


def mixture_nll(model_probabilities, probabilities, hits,
                weights: Sequence[float]) -> float:
  """Mean NLL (nats) of the mixture over N predicted tokens.

  Args:
    model_probabilities: float [N], the model's probability of each token.
    probabilities, hits: float / bool [N, K], the cache's.
    weights: K floats; () is the model alone.
  """
  p_model = np.asarray(model_probabilities, np.float64)
  if not len(weights):
    return float(-np.log(p_model).mean())
  w = np.asarray(hits, np.float64) * np.asarray(weights, np.float64)
  mixture = (1.0 - w.sum(1)) * p_model + (w * probabilities).sum(1)
  return float(-np.log(np.maximum(mixture, 1e-30)).mean())


def fit_weights(model_probabilities, probabilities, hits
                ) -> Tuple[float, ...]:
  """The weights of least mixture NLL (a convex problem), rounded to 3
  decimals, sum at most CACHE_MAX_WEIGHT. Arguments as mixture_nll's."""
  orders = len(ORDERS)
  result = optimize.minimize(
      lambda w: mixture_nll(model_probabilities, probabilities, hits, w),
      np.full(orders, 0.01), method='SLSQP', bounds=[(0.0, 1.0)] * orders,
      constraints=[{'type': 'ineq',
                    'fun': lambda w: CACHE_MAX_WEIGHT - np.sum(w)}])
  weights = np.floor(np.clip(result.x, 0.0, 1.0) * 1000) / 1000
  return check_cache_weights(weights)


def fit_to_music(model, batches) -> Tuple[Tuple[float, ...], float, float]:
  """(weights, the model's NLL, the mixture's NLL) on int [B, L] batches of
  held-out music (pipeline.eval_dataset), weights by fit_weights."""
  step = tf.function(lambda batch: (
      losses.token_cross_entropy(model(batch[:, :-1], training=False),
                                 batch[:, 1:]),
      sequence_probabilities(batch)), autograph=False)
  model_probabilities, probabilities, hits = [], [], []
  for batch in batches:
    (token_losses, mask), (batch_probabilities, batch_hits) = step(batch)
    keep = mask.numpy() > 0
    model_probabilities.append(np.exp(-token_losses.numpy()[keep]))
    probabilities.append(batch_probabilities.numpy()[keep])
    hits.append(batch_hits.numpy()[keep])
  arrays = [np.concatenate(a) for a in (model_probabilities, probabilities,
                                        hits)]
  weights = fit_weights(*arrays)
  return weights, mixture_nll(*arrays, ()), mixture_nll(*arrays, weights)
