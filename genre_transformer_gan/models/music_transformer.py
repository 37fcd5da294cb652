"""The Music Transformer generator (decoder-only, genre token at position 0).

Inputs are int token ids [B, L] or a distribution over the vocabulary
[B, L, V] (multiplied into the embedding matrix): the adversarial stage feeds
Gumbel-softmax samples through the same model. Output: logits [B, L, V].
"""

import math

import keras
from keras import ops

from genre_transformer_gan.models import generator_base
from genre_transformer_gan.models import token_embedding
from genre_transformer_gan.models import tracking
from genre_transformer_gan.models import transformer_block


def timing_signal(positions, width, dtype='float32'):
  """Magenta / tensor2tensor's sinusoidal timing signal.

  Args:
    positions: int [L] positions.
    width: D (even).

  Returns:
    float [L, D]: sin of the first D/2 timescales, then cos.
  """
  num_timescales = width // 2
  log_increment = math.log(1.0e4) / max(num_timescales - 1, 1)
  inv_timescales = ops.exp(
      ops.arange(num_timescales, dtype='float32') * -log_increment)
  scaled = ops.cast(positions, 'float32')[:, None] * inv_timescales[None, :]
  signal = ops.concatenate([ops.sin(scaled), ops.cos(scaled)], axis=1)
  if width % 2:
    signal = ops.pad(signal, [[0, 0], [0, 1]])
  return ops.cast(signal, dtype)


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class MusicTransformer(generator_base.Generator):
  """Decoder-only transformer over performance tokens.

  Args:
    vocab_size: V (events + genre tokens).
    num_layers, hidden_size, num_heads, attention_size, filter_size,
    max_len, dropout, attention, max_relative_position, timing_signal,
    attention_dropout: see configs.TransformerConfig (attention_dropout None: as
      dropout).

  Call:
    inputs: int [B, L] tokens, or float [B, L, V] distributions.
    training: bool.

  Returns:
    float32 [B, L, V] logits for the next token at every position.

  Mixed precision (dtype='mixed_bfloat16'): the policy goes to every
  sublayer, so embeddings, attention, feed-forward and output projections
  compute in bfloat16 (variables stay float32); the residual stream, layer
  norms, attention softmax and the logits are float32.
  """

  def __init__(self, vocab_size, num_layers, hidden_size, num_heads,
               attention_size, filter_size, max_len, dropout=0.1,
               attention='relative', max_relative_position=None,
               timing_signal=True, attention_dropout=None, **kwargs):
    super().__init__(**kwargs)
    if attention not in ('relative', 'absolute'):
      raise ValueError(f"attention must be 'relative' or 'absolute', not "
                       f'{attention!r}.')
    if attention_size % num_heads:
      raise ValueError(f'attention_size {attention_size} is not a multiple '
                       f'of num_heads {num_heads}.')
    self.vocab_size = vocab_size
    self.num_layers = num_layers
    self.hidden_size = hidden_size
    self.num_heads = num_heads
    self.attention_size = attention_size
    self.filter_size = filter_size
    self.max_len = max_len
    self.dropout = dropout
    self.attention_dropout = (dropout if attention_dropout is None
                              else attention_dropout)
    self.attention = attention
    self.max_relative_position = max_relative_position or max_len // 2
    self.timing_signal = timing_signal
    # Absolute position embeddings end at max_len; relative attention does
    # not (models/generators.py's interface).
    self.max_positions = max_len if attention == 'absolute' else None
    policy = self.dtype_policy
    self.embedding = keras.layers.Embedding(
        vocab_size, hidden_size,
        embeddings_initializer=keras.initializers.RandomNormal(
            stddev=hidden_size**-0.5), dtype=policy)
    self.position_embedding = (
        keras.layers.Embedding(max_len, hidden_size, dtype=policy)
        if attention == 'absolute' else None)
    self.embedding_dropout = keras.layers.Dropout(dropout)
    self.blocks = [
        transformer_block.TransformerBlock(
            num_heads, attention_size // num_heads, filter_size,
            self.max_relative_position, relative=attention == 'relative',
            dropout=dropout, attention_dropout=self.attention_dropout,
            name=f'block_{i}', dtype=policy)
        for i in range(num_layers)]
    tracking.name_items_for_checkpoints(self, 'block', self.blocks)
    self.final_norm = keras.layers.LayerNormalization(epsilon=1e-6,
                                                      dtype=policy)
    self.logits_dense = keras.layers.Dense(vocab_size, name='logits',
                                           dtype=policy)
    # Every shape is known here; building now lets call_cached run first.
    self.build(None)

  def build(self, input_shape):
    self.embedding.build((None, None))
    if self.position_embedding is not None:
      self.position_embedding.build((None,))
    hidden_shape = (None, None, self.hidden_size)
    for block in self.blocks:
      block.build(hidden_shape)
    self.final_norm.build(hidden_shape)
    self.logits_dense.build(hidden_shape)

  def embed(self, inputs, positions):
    """Tokens [B, L] or distributions [B, L, V] -> float32 [B, L, D]."""
    x = ops.cast(token_embedding.embed_tokens(self.embedding, inputs),
                 'float32')
    x = x * self.hidden_size**0.5
    if self.timing_signal:
      x = x + timing_signal(positions, self.hidden_size)[None]
    if self.position_embedding is not None:
      x = x + ops.cast(self.position_embedding(positions), x.dtype)[None]
    return x

  def call(self, inputs, training=False):
    positions = ops.arange(ops.shape(inputs)[1])
    x = self.embedding_dropout(self.embed(inputs, positions),
                               training=training)
    for block in self.blocks:
      x = block(x, training=training)
    return ops.cast(self.logits_dense(self.final_norm(x)), 'float32')

  def init_cache(self, batch_size, max_len=None):
    """Zero key/value cache: per layer a (keys, values) pair, each
    [B, H, max_len, key_dim] in the compute dtype.

    A tuple of pairs rather than one stacked tensor: each decoding step
    then rewrites every layer's keys and values once, instead of also
    copying them into a new stack per layer and per model.
    """
    shape = (batch_size, self.num_heads, max_len or self.max_len,
             self.attention_size // self.num_heads)
    return tuple((ops.zeros(shape, dtype=self.compute_dtype),
                  ops.zeros(shape, dtype=self.compute_dtype))
                 for _ in range(self.num_layers))

  def call_cached(self, inputs, cache, index):
    """One decoding step with the key/value cache.

    Args:
      inputs: int [B] tokens or float [B, V] distributions at position
        `index`.
      cache: from `init_cache` (or the previous step).
      index: int scalar position of `inputs`.

    Returns:
      (logits float32 [B, V] for position index + 1, updated cache).
    """
    inputs = ops.expand_dims(inputs, 1)
    x = self.embed(inputs, ops.reshape(index, (1,)))
    new_cache = []
    for layer_cache, block in zip(cache, self.blocks):
      x, layer_cache = block(x, cache=layer_cache, cache_update_index=index)
      new_cache.append(tuple(layer_cache))
    logits = self.logits_dense(self.final_norm(x))[:, 0]
    return ops.cast(logits, 'float32'), tuple(new_cache)

  def get_config(self):
    config = super().get_config()
    config.update(
        vocab_size=self.vocab_size, num_layers=self.num_layers,
        hidden_size=self.hidden_size, num_heads=self.num_heads,
        attention_size=self.attention_size, filter_size=self.filter_size,
        max_len=self.max_len, dropout=self.dropout,
        attention_dropout=self.attention_dropout, attention=self.attention,
        max_relative_position=self.max_relative_position,
        timing_signal=self.timing_signal)
    return config

  @classmethod
  def from_transformer_config(cls, transformer_config, vocab_size, **kwargs):
    """Builds from a configs.TransformerConfig (kwargs: e.g. dtype, name)."""
    c = transformer_config
    return cls(vocab_size=vocab_size, num_layers=c.num_layers,
               hidden_size=c.hidden_size, num_heads=c.num_heads,
               attention_size=c.attention_size, filter_size=c.filter_size,
               max_len=c.max_len, dropout=c.dropout, attention=c.attention,
               max_relative_position=c.relative_distance,
               timing_signal=c.timing_signal,
               attention_dropout=c.attention_weight_dropout, **kwargs)
