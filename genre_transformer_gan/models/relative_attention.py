"""Causal multi-head self-attention with relative position logits ("skew").

Music Transformer (Huang et al. 2018, section 3.4.1): besides `q_i . k_j`,
each logit gets `q_i . e_(j-i)`, a learned embedding of the distance. The
"skew" computes all of them from `Q . Er^T` ([B, H, L, L], one column per
distance) by padding one zero column on the left, reshaping to
[B, H, L+1, L] and dropping the first row, which leaves
`S_rel[i, j] = q_i . e_(j-i)` for j <= i: memory O(L.D) for the relative
embeddings instead of the O(L^2.D) of gathering `e_(j-i)` per pair.

Relative embeddings are per head: a table [H, R+1, depth] for distances
0..R (R = `max_relative_position`). Keys farther than R in the past share
the embedding of distance R (the same clipping as Shaw et al.).

Cached decoding keeps relative attention: for the query at step t the
relative logits against cached keys j <= t are `q_t . e_(t-j)`: one row,
gathered directly, no skew needed.
"""

import keras
from keras import ops

_NEG_INF = -1e9


def skew(rel_logits):
  """[B, H, L, L] logits by distance column -> [B, H, L, L] by key position.

  Column m of the input is distance m - (L - 1) (m = L - 1: same position).
  Output [i, j] = input[i, j - i + L - 1] for j <= i; j > i is garbage that
  the causal mask removes.
  """
  batch, heads, length = (ops.shape(rel_logits)[0], ops.shape(rel_logits)[1],
                          ops.shape(rel_logits)[2])
  padded = ops.pad(rel_logits, [[0, 0], [0, 0], [0, 0], [1, 0]])
  reshaped = ops.reshape(padded, (batch, heads, length + 1, length))
  # ops.slice, not reshaped[:, :, 1:]: the gradient of a strided slice
  # (StridedSliceGrad) took ~0.14 s per layer of `small`'s training step on
  # a CPU, the gradient of a slice (a pad) a small fraction of that.
  return ops.slice(reshaped, (0, 0, 1, 0), (batch, heads, length, length))


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class RelativeMultiHeadAttention(keras.layers.Layer):
  """Causal self-attention, relative (skew) or plain.

  Args:
    num_heads: H.
    key_dim: per-head query/key/value depth.
    max_relative_position: R; distances beyond share embedding R.
    relative: False gives plain dot-product attention (for the `absolute`
      model variant, whose positions come from embeddings instead).
    dropout: on the attention weights.

  Call:
    inputs: float [B, L, D].
    training: bool.
    cache: optional (keys, values), each float [B, H, max_len, key_dim], of
      the positions so far; with it, `inputs` is one step [B, 1, D].
    cache_update_index: int scalar, the position of that step.

  Returns:
    float [B, L, D]; with a cache, (output [B, 1, D], updated cache).
  """

  def __init__(self, num_heads, key_dim, max_relative_position, relative=True,
               dropout=0.0, **kwargs):
    super().__init__(**kwargs)
    self.num_heads = num_heads
    self.key_dim = key_dim
    self.max_relative_position = max_relative_position
    self.relative = relative
    self.dropout = dropout
    self._dropout = keras.layers.Dropout(dropout, dtype=self.dtype_policy)

  def build(self, input_shape):
    width = input_shape[-1]
    shape = (width, self.num_heads, self.key_dim)
    init = keras.initializers.GlorotUniform()
    self.query_kernel = self.add_weight(name='query', shape=shape,
                                        initializer=init)
    self.key_kernel = self.add_weight(name='key', shape=shape,
                                      initializer=init)
    self.value_kernel = self.add_weight(name='value', shape=shape,
                                        initializer=init)
    self.output_kernel = self.add_weight(
        name='output', shape=(self.num_heads, self.key_dim, width),
        initializer=init)
    if self.relative:
      self.relative_embeddings = self.add_weight(
          name='relative_embeddings',
          shape=(self.num_heads, self.max_relative_position + 1, self.key_dim),
          initializer=keras.initializers.RandomNormal(
              stddev=self.key_dim**-0.5))

  def _weight(self, variable):
    """A variable in the compute dtype (bfloat16 under mixed precision)."""
    return ops.cast(variable, self.compute_dtype)

  def _project(self, inputs):
    """[B, L, D] -> q, k, v [B, H, L, key_dim] (q scaled), one fused matmul.

    The three kernels stay separate variables (checkpoints keep their
    layout) and are concatenated per step into one [D, 3A] matmul; on a
    2-core CPU that measured the same step time as three einsums
    (BENCHMARKS.md, "Training"), with fewer, larger ops for bigger
    machines.
    """
    inputs = ops.cast(inputs, self.compute_dtype)
    width = self.num_heads * self.key_dim
    kernel = ops.concatenate(
        [ops.reshape(self._weight(w), (-1, width)) for w in
         (self.query_kernel, self.key_kernel, self.value_kernel)], axis=1)
    batch, length = ops.shape(inputs)[0], ops.shape(inputs)[1]
    qkv = ops.reshape(ops.matmul(inputs, kernel),
                      (batch, length, 3, self.num_heads, self.key_dim))
    q, k, v = ops.unstack(ops.transpose(qkv, (2, 0, 3, 1, 4)), axis=0)
    return q * ops.cast(self.key_dim**-0.5, q.dtype), k, v

  def _merge_heads(self, heads):
    """[B, H, L, key_dim] -> [B, L, D] through the output kernel."""
    batch, length = ops.shape(heads)[0], ops.shape(heads)[2]
    merged = ops.reshape(ops.transpose(heads, (0, 2, 1, 3)),
                         (batch, length, self.num_heads * self.key_dim))
    kernel = ops.reshape(self._weight(self.output_kernel),
                         (self.num_heads * self.key_dim, -1))
    return ops.matmul(merged, kernel)

  def _distance_embeddings(self, distances):
    """[H, N, key_dim] embeddings of distances (clipped at R)."""
    index = ops.minimum(distances, self.max_relative_position)
    return ops.take(self._weight(self.relative_embeddings), index, axis=1)

  def _attend(self, logits, mask, values, training):
    # Softmax in float32 whatever the compute dtype. The mask is added as a
    # bias of its own shape rather than selected over [B, H, L, L]: the
    # training step is ~3.5 % faster on a CPU (no select in the backward).
    logits = ops.cast(logits, 'float32') + ops.where(mask, 0.0, _NEG_INF)
    weights = ops.cast(ops.softmax(logits, axis=-1), values.dtype)
    weights = self._dropout(weights, training=training)
    return self._merge_heads(ops.matmul(weights, values))

  def call(self, inputs, training=False, cache=None, cache_update_index=None):
    if cache is not None:
      return self._call_cached(inputs, cache, cache_update_index, training)
    q, k, v = self._project(inputs)
    logits = ops.matmul(q, ops.swapaxes(k, -1, -2))
    length = ops.shape(inputs)[1]
    if self.relative:
      # Column m of Q.Er^T is distance (L - 1) - m into the past.
      er = self._distance_embeddings(ops.arange(length - 1, -1, -1))
      # q [B, H, L, k] x er^T [B, H, k, L]: its gradient is a batched
      # matmul and a sum, where the equivalent einsum ('bhik,hmk->bhim')
      # took ~8x its forward time on a CPU. The batch is broadcast
      # explicitly: TF 2.21's oneDNN matmul returned wrong numbers for an
      # implicit broadcast of [1, 1, k, L] against [2, 1, L, k].
      er = ops.broadcast_to(
          ops.swapaxes(er, -1, -2)[None],
          (ops.shape(q)[0], self.num_heads, self.key_dim, length))
      logits = logits + skew(ops.matmul(q, er))
    positions = ops.arange(length)
    mask = positions[None, :] <= positions[:, None]
    return self._attend(logits, mask[None, None], v, training)

  def _call_cached(self, inputs, cache, index, training):
    q, k, v = self._project(inputs)  # [B, H, 1, key_dim]
    # A masked write rather than slice_update: differentiable (the
    # Gumbel-softmax rollout backpropagates through the cache), and only
    # ~4% slower to sample with.
    positions = ops.arange(ops.shape(cache)[3])
    at_index = ops.reshape(positions == index, (1, 1, -1, 1))
    keys = ops.where(at_index, k, cache[0])
    values = ops.where(at_index, v, cache[1])
    logits = ops.einsum('bhik,bhjk->bhij', q, keys)
    if self.relative:
      distances = ops.maximum(index - positions, 0)
      er = self._distance_embeddings(distances)  # [H, max_len, key_dim]
      logits = logits + ops.einsum('bhik,hjk->bhij', q, er)
    mask = (positions <= index)[None, None, None, :]
    output = self._attend(logits, mask, values, training)
    return output, (keys, values)

  def get_config(self):
    config = super().get_config()
    config.update(num_heads=self.num_heads, key_dim=self.key_dim,
                  max_relative_position=self.max_relative_position,
                  relative=self.relative, dropout=self.dropout)
    return config
