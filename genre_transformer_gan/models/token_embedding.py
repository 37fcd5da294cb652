"""Embedding int tokens or soft one-hot distributions with one table."""

import keras
from keras import ops


def embed_tokens(embedding, inputs):
  """Tokens int [B, ...] or distributions float [B, ..., V] -> [B, ..., E].

  Distributions (Gumbel-softmax samples) are multiplied into the table, so a
  one-hot gives exactly the token's embedding and gradients reach them.
  """
  if 'int' in keras.backend.standardize_dtype(inputs.dtype):
    return embedding(inputs)
  matrix = ops.cast(embedding.embeddings, embedding.compute_dtype)
  return ops.matmul(ops.cast(inputs, embedding.compute_dtype), matrix)
