"""Language-model losses."""

import tensorflow as tf

from genre_transformer_gan.data import vocabulary as vocab


def token_cross_entropy(logits, targets, label_smoothing=0.0):
  """Per-token cross-entropy, zero on PAD targets.

  loss_t = -sum_v q_t(v) log softmax(logits_t)(v), with
  q_t = (1 - eps) onehot(target_t) + eps / V.

  Args:
    logits: float [B, L, V].
    targets: int [B, L].
    label_smoothing: eps.

  Returns:
    (float32 [B, L] losses, float32 [B, L] mask of non-PAD targets).
  """
  logits = tf.cast(logits, tf.float32)
  mask = tf.cast(tf.not_equal(targets, vocab.PAD_ID), tf.float32)
  if label_smoothing:
    depth = tf.shape(logits)[-1]
    labels = tf.one_hot(targets, depth, on_value=1.0 - label_smoothing,
                        off_value=0.0) + label_smoothing / tf.cast(
                            depth, tf.float32)
    losses = tf.nn.softmax_cross_entropy_with_logits(labels, logits)
  else:
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
  return losses * mask, mask


def next_token_nll(model, sequences, training=False, label_smoothing=0.0):
  """Sum of next-token losses and number of predicted tokens.

  Position t predicts token t + 1; the genre token at position 0 is given,
  never predicted, and PAD targets do not count.

  Args:
    model: maps int [B, L-1] to logits [B, L-1, V].
    sequences: int [B, L].

  Returns:
    (float32 scalar loss sum, float32 scalar token count).
  """
  logits = model(sequences[:, :-1], training=training)
  losses, mask = token_cross_entropy(logits, sequences[:, 1:],
                                     label_smoothing)
  return tf.reduce_sum(losses), tf.reduce_sum(mask)
