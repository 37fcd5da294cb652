"""One pre-norm decoder block: attention and feed-forward, each residual."""

import keras
from keras import ops

from genre_transformer_gan.models import relative_attention


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class TransformerBlock(keras.layers.Layer):
  """x + Dropout(Attn(LN(x))), then x + Dropout(FFN(LN(x))).

  Args:
    num_heads, key_dim, max_relative_position, relative: as
      RelativeMultiHeadAttention.
    filter_size: feed-forward inner width (ReLU).
    dropout: residual dropout.
    attention_dropout: on the attention weights (None: as `dropout`).

  Mixed precision: the block's dtype policy (e.g. 'mixed_bfloat16') goes to
  every sublayer, so its matmuls run in the compute dtype, while the residual
  stream keeps the dtype it comes in with (float32 from MusicTransformer):
  the block does not autocast its inputs, and layer norms normalise in
  float32.

  Call:
    inputs: float [B, L, D]; `cache` / `cache_update_index` as the attention.

  Returns:
    [B, L, D] in the inputs' dtype; with a cache, (output, updated cache).
  """

  def __init__(self, num_heads, key_dim, filter_size, max_relative_position,
               relative=True, dropout=0.0, attention_dropout=None,
               **kwargs):
    kwargs['autocast'] = False  # The residual stream keeps its dtype.
    super().__init__(**kwargs)
    self.num_heads = num_heads
    self.key_dim = key_dim
    self.filter_size = filter_size
    self.max_relative_position = max_relative_position
    self.relative = relative
    self.dropout = dropout
    self.attention_dropout = (dropout if attention_dropout is None
                              else attention_dropout)
    policy = self.dtype_policy
    self.attention_norm = keras.layers.LayerNormalization(epsilon=1e-6,
                                                          dtype=policy)
    self.attention = relative_attention.RelativeMultiHeadAttention(
        num_heads, key_dim, max_relative_position, relative=relative,
        dropout=self.attention_dropout, dtype=policy)
    self.ffn_norm = keras.layers.LayerNormalization(epsilon=1e-6,
                                                    dtype=policy)
    self.dropout_layer = keras.layers.Dropout(dropout, dtype=policy)
    self.filter_dense = None
    self.output_dense = None

  def build(self, input_shape):
    width = input_shape[-1]
    if self.filter_dense is None:
      self.filter_dense = keras.layers.Dense(
          self.filter_size, activation='relu', dtype=self.dtype_policy)
      self.output_dense = keras.layers.Dense(width, dtype=self.dtype_policy)
    self.attention_norm.build(input_shape)
    self.attention.build(input_shape)
    self.ffn_norm.build(input_shape)
    self.filter_dense.build(input_shape)
    self.output_dense.build(tuple(input_shape[:-1]) + (self.filter_size,))

  def call(self, inputs, training=False, cache=None, cache_update_index=None):
    attended = self.attention(self.attention_norm(inputs), training=training,
                              cache=cache,
                              cache_update_index=cache_update_index)
    if cache is not None:
      attended, cache = attended
    x = inputs + ops.cast(self.dropout_layer(attended, training=training),
                          inputs.dtype)
    hidden = self.output_dense(self.filter_dense(self.ffn_norm(x)))
    x = x + ops.cast(self.dropout_layer(hidden, training=training), x.dtype)
    return (x, cache) if cache is not None else x

  def get_config(self):
    config = super().get_config()
    config.update(num_heads=self.num_heads, key_dim=self.key_dim,
                  filter_size=self.filter_size,
                  max_relative_position=self.max_relative_position,
                  relative=self.relative, dropout=self.dropout,
                  attention_dropout=self.attention_dropout)
    return config
