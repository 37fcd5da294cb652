"""Gradient application shared by the trainers (correct under tf.distribute)."""

import tensorflow as tf


def apply_clipped_gradients(optimizer, gradients, variables,
                            clip_norm: float):
  """All-reduces, clips by the global norm, applies. Call in a replica context.

  Keras clips (global_clipnorm) each replica's partial gradient before its
  all-reduce, which is not the global norm. So: all-reduce here, clip by the
  global norm, and divide by the replica count so that the optimizer's own
  all-reduce (a sum of equal values) restores it.

  Args:
    optimizer: a built keras optimizer over `variables`.
    gradients: per-replica gradients (None entries are not allowed).
    variables: the variables they belong to.
    clip_norm: maximum global norm.

  Returns:
    float32 scalar: the global norm before clipping.
  """
  context = tf.distribute.get_replica_context()
  gradients = context.all_reduce(
      tf.distribute.ReduceOp.SUM,
      [tf.convert_to_tensor(g) for g in gradients])  # dense embeddings
  gradients, norm = tf.clip_by_global_norm(gradients, clip_norm)
  replicas = float(context.num_replicas_in_sync)
  optimizer.apply_gradients(zip([g / replicas for g in gradients], variables))
  return norm
