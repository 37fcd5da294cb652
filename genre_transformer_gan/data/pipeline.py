"""tf.data input pipelines over `corpus_genre` / `lakh_genre` examples.

Every sequence is `[GENRE, e_1, ..., e_{max_len-1}]` padded with PAD (0) to
`max_len`: the genre token stays at position 0 whatever the crop.

  train_dataset: shuffled, repeated random crops, optional augmentation,
    batched per replica (works with `strategy.distribute_datasets_from_function`,
    which passes a `tf.distribute.InputContext`).
  eval_dataset: every sequence cut into consecutive non-overlapping chunks,
    in a fixed order, one pass.
"""

from typing import Optional, Sequence

import tensorflow as tf

from genre_transformer_gan.data import augmentation
from genre_transformer_gan.data import vocabulary as vocab


def filter_genres(dataset: tf.data.Dataset,
                  genre_ids: Optional[Sequence[int]]) -> tf.data.Dataset:
  """Keeps examples whose `genre` (ClassLabel index) is in `genre_ids`."""
  if genre_ids is None:
    return dataset
  allowed = tf.constant(list(genre_ids), tf.int64)
  return dataset.filter(
      lambda ex: tf.reduce_any(tf.equal(tf.cast(ex['genre'], tf.int64),
                                        allowed)))


def _with_genre_token(genre, events, max_len):
  """[GENRE] + events[:max_len-1], PAD-padded to int32 [max_len]."""
  genre_token = tf.cast(genre, tf.int32) + vocab.GENRE_OFFSET
  sequence = tf.concat([[genre_token], events[:max_len - 1]], 0)
  sequence = tf.pad(sequence, [[0, max_len - tf.shape(sequence)[0]]],
                    constant_values=vocab.PAD_ID)
  return tf.ensure_shape(sequence, [max_len])


def random_crop(tokens, length, seed):
  """A random window of `length` tokens (all of them if shorter)."""
  max_start = tf.maximum(tf.shape(tokens)[0] - length, 0)
  start = tf.random.stateless_uniform([], seed, 0, max_start + 1, tf.int32)
  return tokens[start:start + length]


def train_dataset(examples: tf.data.Dataset, max_len: int,
                  global_batch_size: int, seed: int = 0,
                  genre_ids: Optional[Sequence[int]] = None,
                  augment: bool = True, shuffle_buffer: int = 1024,
                  input_context: Optional[tf.distribute.InputContext] = None
                  ) -> tf.data.Dataset:
  """Endless batches of random crops for training.

  Args:
    examples: TFDS examples with `tokens` and `genre`.
    max_len: sequence length, genre token included.
    global_batch_size: summed over replicas.
    seed: fixes shuffling, crops and augmentation.
    genre_ids: ClassLabel indices to keep (None: all).
    augment: time stretch and transposition (augmentation.py).
    shuffle_buffer: examples in the shuffle buffer.
    input_context: from `distribute_datasets_from_function`; shards the
      examples and sets the per-replica batch.

  Returns:
    int32 [per_replica_batch, max_len] batches.
  """
  batch_size = global_batch_size
  if input_context is not None:
    batch_size = input_context.get_per_replica_batch_size(global_batch_size)
    examples = examples.shard(input_context.num_input_pipelines,
                              input_context.input_pipeline_id)
    seed = seed * 1000 + input_context.input_pipeline_id
  examples = filter_genres(examples, genre_ids)
  examples = examples.map(lambda ex: (ex['tokens'], ex['genre']))
  examples = examples.shuffle(shuffle_buffer, seed=seed).repeat()
  # Per-element stateless seeds make crops and augmentation reproducible.
  seeds = tf.data.Dataset.random(seed=seed).batch(2)
  # Crop a little more than needed: stretching can shorten the crop.
  crop_len = int((max_len - 1) * 1.1) + 1 if augment else max_len - 1

  def crop(element, element_seed):
    tokens, genre = element
    crop_seed, augment_seed = tf.unstack(
        tf.random.experimental.stateless_split(element_seed, 2))
    tokens = random_crop(tokens, crop_len, crop_seed)
    keep = tf.constant(True)
    if augment:
      tokens, keep = augmentation.augment(tokens, augment_seed)
    return _with_genre_token(genre, tokens, max_len), keep

  dataset = tf.data.Dataset.zip((examples, seeds)).map(
      crop, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
  dataset = dataset.filter(lambda sequence, keep: keep).map(
      lambda sequence, keep: sequence)
  return dataset.batch(batch_size, drop_remainder=True).prefetch(
      tf.data.AUTOTUNE)


def eval_dataset(examples: tf.data.Dataset, max_len: int, batch_size: int,
                 genre_ids: Optional[Sequence[int]] = None,
                 drop_remainder: bool = False) -> tf.data.Dataset:
  """All of every sequence, as consecutive chunks of max_len - 1 events.

  Returns:
    int32 [batch, max_len] batches, one pass, deterministic order.
  """
  examples = filter_genres(examples, genre_ids)
  chunk = max_len - 1

  def to_chunks(example):
    tokens = example['tokens']
    num_chunks = (tf.shape(tokens)[0] + chunk - 1) // chunk
    padded = tf.pad(tokens, [[0, num_chunks * chunk - tf.shape(tokens)[0]]])
    chunks = tf.reshape(padded, [num_chunks, chunk])
    genre = tf.fill([num_chunks], tf.cast(example['genre'], tf.int32))
    return tf.data.Dataset.from_tensor_slices((genre, chunks))

  dataset = examples.flat_map(to_chunks).map(
      lambda genre, events: _with_genre_token(genre, events, max_len))
  return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(
      tf.data.AUTOTUNE)
