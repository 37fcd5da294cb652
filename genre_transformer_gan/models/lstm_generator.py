"""A multi-layer LSTM generator with the Music Transformer's interface.

Same contract as models/music_transformer.py: inputs are int tokens [B, L]
or distributions [B, L, V] (multiplied into the embedding table), position 0
holds the genre token, output logits [B, L, V]; `init_cache` /
`call_cached` decode one token at a time (the cache is the LSTM states).

Genre conditioning: besides reading the genre token at step 0, every step's
input is [embedding(token_t), embedding(token_0)], so the genre is not
forgotten over long sequences (WaveNet-style global conditioning).
"""

import keras
from keras import ops

from genre_transformer_gan.models import generator_base
from genre_transformer_gan.models import token_embedding
from genre_transformer_gan.models import tracking


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class LstmGenerator(generator_base.Generator):
  """Stacked LSTM over performance tokens, genre-conditioned at every step.

  Args:
    vocab_size: V (events + genre tokens).
    num_layers, hidden_size, embedding_size, dropout: configs.LstmConfig.
    max_len: training sequence length (the sampler's window).

  Call:
    inputs: int [B, L] tokens, or float [B, L, V] distributions.
    training: bool.

  Returns:
    float32 [B, L, V] logits for the next token at every position.
  """

  def __init__(self, vocab_size, num_layers, hidden_size, embedding_size,
               max_len, dropout=0.0, **kwargs):
    super().__init__(**kwargs)
    self.vocab_size = vocab_size
    self.num_layers = num_layers
    self.hidden_size = hidden_size
    self.embedding_size = embedding_size
    self.max_len = max_len
    self.dropout = dropout
    self.embedding = keras.layers.Embedding(vocab_size, embedding_size)
    self.lstms = [keras.layers.LSTM(hidden_size, return_sequences=True,
                                    name=f'lstm_{i}')
                  for i in range(num_layers)]
    tracking.name_items_for_checkpoints(self, 'lstm', self.lstms)
    self.dropouts = [keras.layers.Dropout(dropout)
                     for _ in range(num_layers)]
    self.logits_dense = keras.layers.Dense(vocab_size, name='logits')
    self.build(None)

  def build(self, input_shape):
    self.embedding.build((None, None))
    width = 2 * self.embedding_size
    for lstm in self.lstms:
      lstm.build((None, None, width))
      width = self.hidden_size
    self.logits_dense.build((None, None, self.hidden_size))

  def _step_inputs(self, inputs):
    """[B, L(, V)] -> float [B, L, 2E]: each token's and the genre's embedding."""
    x = token_embedding.embed_tokens(self.embedding, inputs)
    genre = ops.broadcast_to(x[:, :1], ops.shape(x))
    return ops.concatenate([x, genre], axis=-1)

  def call(self, inputs, training=False):
    x = self._step_inputs(inputs)
    for lstm, dropout in zip(self.lstms, self.dropouts):
      x = dropout(lstm(x, training=training), training=training)
    return ops.cast(self.logits_dense(x), 'float32')

  def init_cache(self, batch_size, max_len=None):
    """Zero state: (genre float [B, E], states float [layers, 2, B, units])."""
    del max_len  # The state does not grow.
    dtype = self.compute_dtype
    return (ops.zeros((batch_size, self.embedding_size), dtype),
            ops.zeros((self.num_layers, 2, batch_size, self.hidden_size),
                      dtype))

  def call_cached(self, inputs, cache, index):
    """One step: int [B] or float [B, V] inputs at `index` (0: genre token).

    Returns:
      (float32 logits [B, V] for position index + 1, the updated cache).
    """
    genre, states = cache
    x = token_embedding.embed_tokens(self.embedding, inputs)
    genre = self.carry_genre(x, genre, index)
    x = ops.concatenate([x, genre], axis=-1)
    new_states = []
    for i, lstm in enumerate(self.lstms):
      x, (h, c) = lstm.cell(x, [states[i, 0], states[i, 1]])
      new_states.append(ops.stack([h, c]))
    logits = ops.cast(self.logits_dense(x), 'float32')
    return logits, (genre, ops.stack(new_states))

  def get_config(self):
    config = super().get_config()
    config.update(vocab_size=self.vocab_size, num_layers=self.num_layers,
                  hidden_size=self.hidden_size,
                  embedding_size=self.embedding_size, max_len=self.max_len,
                  dropout=self.dropout)
    return config

  @classmethod
  def from_config_parts(cls, lstm_config, max_len, vocab_size, **kwargs):
    """Builds from a configs.LstmConfig (kwargs: e.g. dtype, name)."""
    return cls(vocab_size=vocab_size, num_layers=lstm_config.num_layers,
               hidden_size=lstm_config.hidden_size,
               embedding_size=lstm_config.embedding_size, max_len=max_len,
               dropout=lstm_config.dropout, **kwargs)
