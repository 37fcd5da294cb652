"""A WaveNet generator over tokens, with the Fast WaveNet incremental sampler.

Same contract as models/music_transformer.py: int tokens [B, L] or
distributions [B, L, V] in (position 0: the genre token), logits [B, L, V]
out, and `init_cache` / `call_cached` for one-token-at-a-time decoding.

Each layer (van den Oord et al. 2016):

  z = causal_conv_d(x) + V g                 dilated, kernel k, 2C channels
  h = tanh(z[:C]) * sigmoid(z[C:])           gated activation
  x <- x + W_res h;   skip += W_skip h        residual and skip connections

with g the genre token's embedding (global conditioning: the genre reaches
every position even beyond the receptive field). Output:
Dense(V)(relu(Dense(S)(relu(skip)))).

Fast WaveNet (Paine et al. 2016): the incremental sampler keeps, per layer,
a queue of its last (k - 1) * d inputs (a ring buffer written at
index mod its length), so each new token costs one matrix product per tap
instead of a convolution over the whole history.
"""

import keras
from keras import ops

from genre_transformer_gan.models import generator_base
from genre_transformer_gan.models import token_embedding
from genre_transformer_gan.models import tracking


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class GatedResidualLayer(keras.layers.Layer):
  """One dilated causal gated layer with residual and skip outputs.

  Args:
    channels: C (residual width).
    skip_channels: S.
    kernel_size: k.
    dilation: d.
    dropout: on the residual branch.
    residual: False for the last layer, whose residual output nothing reads
      (its projection would get no gradient); it returns its input.

  Call:
    inputs: float [B, L, C]; genre: float [B, C].

  Returns:
    (residual output float [B, L, C], skip float [B, L, S]).
  """

  def __init__(self, channels, skip_channels, kernel_size, dilation,
               dropout=0.0, residual=True, **kwargs):
    super().__init__(**kwargs)
    self.channels = channels
    self.skip_channels = skip_channels
    self.kernel_size = kernel_size
    self.dilation = dilation
    self.dropout = dropout
    self.use_residual = residual
    self.conv = keras.layers.Conv1D(2 * channels, kernel_size,
                                    dilation_rate=dilation, padding='causal',
                                    name='dilated_conv')
    self.condition = keras.layers.Dense(2 * channels, use_bias=False,
                                        name='condition')
    self.residual = (keras.layers.Dense(channels, name='residual')
                     if residual else None)
    self.skip = keras.layers.Dense(skip_channels, name='skip')
    self.residual_dropout = keras.layers.Dropout(dropout)

  @property
  def queue_length(self) -> int:
    return (self.kernel_size - 1) * self.dilation

  def build(self, input_shape):
    self.conv.build((None, None, self.channels))
    self.condition.build((None, self.channels))
    if self.residual is not None:
      self.residual.build((None, None, self.channels))
    self.skip.build((None, None, self.channels))

  def _outputs(self, x, z, training=False):
    gated = ops.tanh(z[..., :self.channels]) * ops.sigmoid(
        z[..., self.channels:])
    if self.residual is None:
      return x, self.skip(gated)
    residual = self.residual_dropout(self.residual(gated), training=training)
    return x + residual, self.skip(gated)

  def call(self, inputs, genre, training=False):
    z = self.conv(inputs) + self.condition(genre)[:, None]
    return self._outputs(inputs, z, training)

  def call_cached(self, x, genre, queue, index):
    """One step: x float [B, C], queue float [B, (k-1) d, C] of past inputs.

    Returns:
      (residual output [B, C], skip [B, S], updated queue).
    """
    kernel = ops.cast(self.conv.kernel, x.dtype)  # [k, C, 2C]
    z = ops.matmul(x, kernel[self.kernel_size - 1]) + ops.cast(
        self.conv.bias, x.dtype) + self.condition(genre)
    length = self.queue_length
    for tap in range(1, self.kernel_size):  # x[t - tap * d]
      slot = ops.mod(index - tap * self.dilation + length, length)
      past = ops.take(queue, slot, axis=1)
      z = z + ops.matmul(past, kernel[self.kernel_size - 1 - tap])
    write = ops.cast(ops.equal(ops.arange(length), ops.mod(index, length)),
                     x.dtype)[None, :, None]
    queue = queue * (1 - write) + x[:, None] * write
    residual, skip = self._outputs(x, z)
    return residual, skip, queue

  def get_config(self):
    config = super().get_config()
    config.update(channels=self.channels, skip_channels=self.skip_channels,
                  kernel_size=self.kernel_size, dilation=self.dilation,
                  dropout=self.dropout, residual=self.use_residual)
    return config


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class WaveNetGenerator(generator_base.Generator):
  """Dilated causal convolutions over token embeddings, genre-conditioned.

  Args:
    vocab_size: V (events + genre tokens).
    residual_channels, skip_channels, kernel_size, dilations, dropout:
      configs.WaveNetConfig.
    max_len: training sequence length (the sampler's window).

  Call:
    inputs: int [B, L] tokens, or float [B, L, V] distributions.
    training: bool.

  Returns:
    float32 [B, L, V] logits for the next token at every position.
  """

  def __init__(self, vocab_size, residual_channels, skip_channels,
               kernel_size, dilations, max_len, dropout=0.0, **kwargs):
    super().__init__(**kwargs)
    if kernel_size < 2:
      raise ValueError(f'kernel_size must be at least 2, not {kernel_size}.')
    self.vocab_size = vocab_size
    self.residual_channels = residual_channels
    self.hidden_size = residual_channels  # The learning-rate schedule's D.
    self.skip_channels = skip_channels
    self.kernel_size = kernel_size
    self.dilations = tuple(dilations)
    self.max_len = max_len
    self.dropout = dropout
    self.embedding = keras.layers.Embedding(vocab_size, residual_channels)
    self.gated_layers = [
        GatedResidualLayer(residual_channels, skip_channels, kernel_size,
                           dilation, dropout,
                           residual=i < len(self.dilations) - 1,
                           name=f'layer_{i}')
        for i, dilation in enumerate(self.dilations)]
    tracking.name_items_for_checkpoints(self, 'gated', self.gated_layers)
    self.output_dense = keras.layers.Dense(skip_channels, name='output')
    self.logits_dense = keras.layers.Dense(vocab_size, name='logits')
    self.build(None)

  def build(self, input_shape):
    self.embedding.build((None, None))
    for layer in self.gated_layers:
      layer.build((None, None, self.residual_channels))
    self.output_dense.build((None, None, self.skip_channels))
    self.logits_dense.build((None, None, self.skip_channels))

  @property
  def receptive_field(self) -> int:
    return (self.kernel_size - 1) * sum(self.dilations) + 1

  def _head(self, skip):
    hidden = ops.relu(self.output_dense(ops.relu(skip)))
    return ops.cast(self.logits_dense(hidden), 'float32')

  def call(self, inputs, training=False):
    x = token_embedding.embed_tokens(self.embedding, inputs)
    genre = x[:, 0]
    skip = 0.0
    for layer in self.gated_layers:
      x, layer_skip = layer(x, genre, training=training)
      skip = skip + layer_skip
    return self._head(skip)

  def init_cache(self, batch_size, max_len=None):
    """(genre float [B, C], per-layer queues float [B, (k-1) d_i, C])."""
    del max_len  # The queues have a fixed length.
    dtype = self.compute_dtype
    return (ops.zeros((batch_size, self.residual_channels), dtype),
            tuple(ops.zeros((batch_size, layer.queue_length,
                             self.residual_channels), dtype)
                  for layer in self.gated_layers))

  def call_cached(self, inputs, cache, index):
    """One step: int [B] or float [B, V] inputs at `index` (0: genre token).

    Returns:
      (float32 logits [B, V] for position index + 1, the updated cache).
    """
    genre, queues = cache
    x = token_embedding.embed_tokens(self.embedding, inputs)
    genre = self.carry_genre(x, genre, index)
    skip, new_queues = 0.0, []
    for layer, queue in zip(self.gated_layers, queues):
      x, layer_skip, queue = layer.call_cached(x, genre, queue, index)
      skip = skip + layer_skip
      new_queues.append(queue)
    return self._head(skip), (genre, tuple(new_queues))

  def get_config(self):
    config = super().get_config()
    config.update(vocab_size=self.vocab_size,
                  residual_channels=self.residual_channels,
                  skip_channels=self.skip_channels,
                  kernel_size=self.kernel_size, dilations=list(self.dilations),
                  max_len=self.max_len, dropout=self.dropout)
    return config

  @classmethod
  def from_config_parts(cls, wavenet_config, max_len, vocab_size, **kwargs):
    """Builds from a configs.WaveNetConfig (kwargs: e.g. dtype, name)."""
    return cls(vocab_size=vocab_size,
               residual_channels=wavenet_config.residual_channels,
               skip_channels=wavenet_config.skip_channels,
               kernel_size=wavenet_config.kernel_size,
               dilations=wavenet_config.dilations, max_len=max_len,
               dropout=wavenet_config.dropout, **kwargs)
