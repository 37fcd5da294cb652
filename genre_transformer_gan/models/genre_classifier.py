"""The genre classifier: the adversary the generator is fine-tuned against.

Architecture (a dilated residual CNN, small enough to train on a CPU):

  tokens [B, L] (or distributions [B, L, V])
    -> embedding [B, L, E]      (distributions: matmul with the table)
    -> x mask                   (1 for event tokens; PAD, EOS and genre
                                 tokens are ignored, so the generator's
                                 conditioning token tells it nothing)
    -> Dense to F channels
    -> one residual block per dilation d:
         LayerNorm -> Conv1D(F, k, dilation d, 'same') -> GELU -> Dropout
         -> Dense(F), added back
    -> LayerNorm -> masked mean and masked max over time [B, 2F]
    -> Dense(F, GELU) -> Dropout -> Dense(num_genres)
  = logits [B, num_genres].

The same weights read int tokens and soft one-hot Gumbel-softmax samples:
`call(one_hot(tokens))` equals `call(tokens)`, and gradients flow from the
logits back into the distributions. Freeze it with `freeze` before using it
as the adversary.
"""

from typing import Sequence
import weakref

import keras
from keras import ops
import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import tracking

# The K+1-th class of a discriminator grown from a genre classifier
# (training/generated_class.py).
GENERATED = 'generated'


def event_mask(inputs):
  """Weight of each position: its probability mass on event tokens.

  Args:
    inputs: int [B, L] tokens or float [B, L, V] distributions.

  Returns:
    float32 [B, L]: 1 for event tokens, 0 for PAD / EOS / genre tokens.
  """
  if len(inputs.shape) == 3:
    return ops.sum(ops.cast(
        inputs[..., vocab.NUM_RESERVED:vocab.GENRE_OFFSET], 'float32'), -1)
  return ops.cast(ops.logical_and(inputs >= vocab.NUM_RESERVED,
                                  inputs < vocab.GENRE_OFFSET), 'float32')


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class GenreClassifier(keras.Model):
  """Genre of a token sequence (any length).

  Args:
    vocab_size: V, the generator's vocabulary size (events + genre tokens).
    genres: names of the output classes, in order.
    embedding_size, filters, kernel_size, dilations, dropout: see
      configs.ClassifierConfig.
    vocabulary_genres: the genre tokens' names in the generator's
      vocabulary (default: `genres`); the classes may be a subset.

  Call:
    inputs: int [B, L] tokens or float [B, L, V] distributions.
    training: bool.

  Returns:
    float32 [B, num_genres] logits.
  """

  def __init__(self, vocab_size: int, genres: Sequence[str],
               embedding_size: int = 32, filters: int = 32,
               kernel_size: int = 3, dilations: Sequence[int] = (1, 2, 4),
               dropout: float = 0.1, vocabulary_genres=None, **kwargs):
    super().__init__(**kwargs)
    self.vocab_size = int(vocab_size)
    self.genres = tuple(genres)
    self.vocabulary_genres = tuple(vocabulary_genres or genres)
    self.embedding_size = embedding_size
    self.filters = filters
    self.kernel_size = kernel_size
    self.dilations = tuple(dilations)
    self.dropout_rate = dropout
    self.embedding = keras.layers.Embedding(vocab_size, embedding_size,
                                            name='embedding')
    self.project = keras.layers.Dense(filters, name='project')
    self.block_norms, self.convs, self.block_outputs = [], [], []
    for i, rate in enumerate(self.dilations):
      self.block_norms.append(keras.layers.LayerNormalization(
          epsilon=1e-6, name=f'block_{i}_norm'))
      self.convs.append(keras.layers.Conv1D(
          filters, kernel_size, dilation_rate=rate, padding='same',
          name=f'block_{i}_conv'))
      self.block_outputs.append(keras.layers.Dense(
          filters, name=f'block_{i}_out'))
    for name in ('block_norms', 'convs', 'block_outputs'):
      tracking.name_items_for_checkpoints(self, name, getattr(self, name))
    self.final_norm = keras.layers.LayerNormalization(epsilon=1e-6,
                                                      name='final_norm')
    self.hidden = keras.layers.Dense(filters, activation='gelu',
                                     name='hidden')
    self.logits = keras.layers.Dense(len(self.genres), name='logits')
    self.dropout = keras.layers.Dropout(dropout)
    self(ops.zeros([1, 2], 'int32'))  # Creates the weights.

  def embed(self, inputs):
    """[B, L] tokens or [B, L, V] distributions -> [B, L, E]."""
    if len(inputs.shape) == 3:
      table = ops.cast(self.embedding.embeddings, self.compute_dtype)
      return ops.matmul(ops.cast(inputs, self.compute_dtype), table)
    return self.embedding(inputs)

  def call(self, inputs, training=False):
    # The mask selects the positions that count; it is not a feature to
    # optimise. Its gradient would reach soft inputs through the max-pool's
    # 1e4 bias: a WGAN-GP penalty of ~1e10 on a fresh critic.
    mask = ops.cast(event_mask(ops.stop_gradient(inputs)),
                    self.compute_dtype)[..., None]
    x = self.dropout(self.embed(inputs) * mask, training=training)
    x = self.project(x)
    for norm, conv, output in zip(self.block_norms, self.convs,
                                  self.block_outputs):
      y = keras.activations.gelu(conv(norm(x) * mask))
      x = x + output(self.dropout(y, training=training))
    x = self.final_norm(x)
    count = ops.maximum(ops.sum(mask, axis=1), 1e-6)
    mean = ops.sum(x * mask, axis=1) / count
    largest = ops.max(x + (mask - 1.0) * 1e4, axis=1)
    pooled = ops.concatenate([mean, largest], axis=-1)
    hidden = self.dropout(self.hidden(pooled), training=training)
    return ops.cast(self.logits(hidden), 'float32')

  def get_config(self):
    config = super().get_config()
    config.update(vocab_size=self.vocab_size, genres=list(self.genres),
                  embedding_size=self.embedding_size, filters=self.filters,
                  kernel_size=self.kernel_size,
                  dilations=list(self.dilations), dropout=self.dropout_rate,
                  vocabulary_genres=list(self.vocabulary_genres))
    return config

  @classmethod
  def from_classifier_config(cls, config, vocab_size, genres,
                             vocabulary_genres=None, **kwargs):
    """From a configs.ClassifierConfig."""
    return cls(vocab_size, genres, embedding_size=config.embedding_size,
               filters=config.filters, kernel_size=config.kernel_size,
               dilations=config.dilations, dropout=config.dropout,
               vocabulary_genres=vocabulary_genres, **kwargs)


def freeze(classifier: keras.Model) -> keras.Model:
  """Makes `classifier` the frozen adversary: no variable is trainable.

  Gradients still flow through it to its inputs; call it with
  `training=False` (dropout off). Returns the same object.
  """
  classifier.trainable = False  # Keras 3: applies to every sublayer.
  if classifier.trainable_variables:
    raise RuntimeError('freeze left trainable variables in the classifier.')
  return classifier


# One compiled scorer per classifier, held weakly: a new tf.function per
# call would trace again each time (chunked guidance scores every chunk).
_SCORERS = weakref.WeakKeyDictionary()


def scorer(classifier: keras.Model):
  """The classifier's compiled log-softmax, int32 [B, L] -> float32 [B, C]
  (dropout off), made once per classifier."""
  if classifier not in _SCORERS:
    ref = weakref.ref(classifier)

    def log_softmax(tokens):
      return tf.nn.log_softmax(ref()(tokens, training=False))

    _SCORERS[classifier] = tf.function(
        log_softmax, autograph=False,
        input_signature=[tf.TensorSpec([None, None], tf.int32)])
  return _SCORERS[classifier]


def log_probabilities(classifier: keras.Model, token_lists,
                      batch_size: int = 64) -> np.ndarray:
  """float32 [N, classes]: log-softmax of the classifier for N sequences.

  The sequences (int event tokens, any lengths) go in PAD-padded batches;
  padding does not change a sequence's output (event_mask).
  """
  call = scorer(classifier)
  outputs = []
  for start in range(0, len(token_lists), batch_size):
    batch = token_lists[start:start + batch_size]
    padded = np.full([len(batch), max(len(t) for t in batch)], vocab.PAD_ID,
                     np.int32)
    for i, tokens in enumerate(batch):
      padded[i, :len(tokens)] = tokens
    outputs.append(call(tf.constant(padded)).numpy())
  return (np.concatenate(outputs) if outputs else
          np.zeros([0, len(classifier.genres)], np.float32))


def probabilities(classifier: keras.Model, token_lists,
                  batch_size: int = 64) -> np.ndarray:
  """float32 [N, classes]: the classifier's softmax (log_probabilities)."""
  return np.exp(log_probabilities(classifier, token_lists, batch_size))
