"""The trainable critic of the adversarial stage: real music vs samples.

Same architecture as the genre classifier (genre_classifier.py: a dilated
residual CNN over int tokens or soft one-hots, PAD / EOS / genre tokens
masked) with one output: an unbounded realness score D(x) [B].
"""

import keras
from keras import ops

from genre_transformer_gan.models import genre_classifier


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class Critic(genre_classifier.GenreClassifier):
  """D(x): int [B, L] or float [B, L, V] -> float32 [B] realness scores.

  Args:
    vocab_size: V.
    embedding_size, filters, kernel_size, dilations, dropout: see
      configs.ClassifierConfig.
  """

  def __init__(self, vocab_size: int, embedding_size: int = 32,
               filters: int = 32, kernel_size: int = 3, dilations=(1, 2, 4),
               dropout: float = 0.1, **kwargs):
    kwargs.pop('genres', None)
    kwargs.pop('vocabulary_genres', None)
    super().__init__(vocab_size, ('real',), embedding_size=embedding_size,
                     filters=filters, kernel_size=kernel_size,
                     dilations=dilations, dropout=dropout, **kwargs)

  def call(self, inputs, training=False):
    return ops.squeeze(super().call(inputs, training=training), -1)

  @classmethod
  def from_classifier_config(cls, config, vocab_size, **kwargs):
    """From a configs.ClassifierConfig."""
    return cls(vocab_size, embedding_size=config.embedding_size,
               filters=config.filters, kernel_size=config.kernel_size,
               dilations=config.dilations, dropout=config.dropout, **kwargs)
