"""tf.data input pipelines over `corpus_genre` / `lakh_genre` examples.

Every sequence is `[GENRE, e_1, ..., e_{max_len-1}]` padded with PAD (0) to
`max_len`: the genre token stays at position 0 whatever the crop.

  train_dataset: shuffled, repeated random crops, optional augmentation,
    batched per replica (works with `strategy.distribute_datasets_from_function`,
    which passes a `tf.distribute.InputContext`).
  eval_dataset: every sequence cut into consecutive non-overlapping chunks,
    in a fixed order, one pass.

Distributed training shards by data, never by file (a TFDS split may be one
file): every input pipeline (one per worker) builds the same stream of
global batches and keeps its replicas' rows of each (`replica_slices`), so
N workers train on exactly the batches one process would. Datasets that
`tf.distribute` splits itself (evaluation, Keras `fit`) are marked for
DATA auto-sharding (`shard_by_data`).
"""

from typing import Dict, Optional, Sequence

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


def shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
  """Lets tf.distribute shard `dataset` by element, not by input file.

  A multi-worker `experimental_distribute_dataset` (and Keras `fit`) would
  otherwise try FILE sharding, which fails on a one-file TFDS split.
  """
  options = tf.data.Options()
  options.experimental_distribute.auto_shard_policy = (
      tf.data.experimental.AutoShardPolicy.DATA)
  return dataset.with_options(options)


def replica_slices(dataset: tf.data.Dataset,
                   input_context: Optional[tf.distribute.InputContext]
                   ) -> tf.data.Dataset:
  """Global batches -> this input pipeline's per-replica batches.

  Args:
    dataset: batches whose every component has the global batch size first.
    input_context: from `distribute_datasets_from_function` (None: as is).

  Returns:
    For each global batch, this pipeline's replicas' consecutive row blocks
    (replica r of pipeline p gets block p * replicas_per_pipeline + r).
  """
  if input_context is None:
    return dataset
  pipelines = input_context.num_input_pipelines
  replicas = input_context.num_replicas_in_sync // pipelines
  index = input_context.input_pipeline_id
  if pipelines == 1 and replicas == 1:
    return dataset
  blocks = pipelines * replicas

  def split(*batch):
    def mine(tensor):
      rows = tf.shape(tensor)[0] // blocks
      shape = tf.concat([[blocks, rows], tf.shape(tensor)[1:]], 0)
      return tf.reshape(tensor, shape)[index * replicas:(index + 1) * replicas]
    parts = tf.nest.map_structure(mine, batch)
    return tf.data.Dataset.from_tensor_slices(
        parts[0] if len(parts) == 1 else parts)

  return dataset.flat_map(split)


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


def crops_per_piece(examples: tf.data.Dataset, crop_len: int,
                    length_balance: float) -> tf.data.Dataset:
  """Each (tokens, genre) repeated round(max(1, n / crop_len) **
  length_balance) times, n its tokens: 0.0 every piece once, 1.0 about
  one crop per crop_len tokens (every token alike)."""
  if length_balance < 0:
    raise ValueError(f'length_balance must be >= 0, not {length_balance} '
                     '(0: every piece alike, 1: every token alike).')
  if not length_balance:
    return examples

  def repeat(tokens, genre):
    crops = tf.maximum(tf.cast(tf.shape(tokens)[0], tf.float32) / crop_len,
                       1.0)
    times = tf.cast(tf.round(crops ** length_balance), tf.int64)
    return tf.data.Dataset.from_tensors((tokens, genre)).repeat(times)
  return examples.flat_map(repeat)


def train_dataset(examples: tf.data.Dataset, max_len: int,
                  global_batch_size: int, seed: int = 0,
                  genre_ids: Optional[Sequence[int]] = None,
                  augment: bool = True, shuffle_buffer: int = 1024,
                  input_context: Optional[tf.distribute.InputContext] = None,
                  genre_weights: Optional[Dict[int, float]] = None,
                  stretch_factors: Sequence[float] = (
                      augmentation.STRETCH_FACTORS),
                  max_transpose: int = augmentation.MAX_TRANSPOSE,
                  length_balance: float = 0.0) -> tf.data.Dataset:
  """Endless batches of random crops for training.

  Args:
    examples: TFDS examples with `tokens` and `genre`.
    max_len: sequence length, genre token included.
    global_batch_size: summed over replicas.
    seed: fixes shuffling, crops and augmentation.
    genre_ids: ClassLabel indices to keep (None: all).
    augment: time stretch and transposition (augmentation.py).
    shuffle_buffer: examples in the shuffle buffer.
    input_context: from `distribute_datasets_from_function`: this
      pipeline's rows of every global batch (`replica_slices`).
    genre_weights: {ClassLabel index: share of draws}: each genre's examples
      shuffled and repeated on their own, mixed by
      `tf.data.Dataset.sample_from_datasets` (genre-balanced training);
      None: the examples as they come.
    stretch_factors, max_transpose: the augmentation's (augmentation.augment;
      TrainConfig's).
    length_balance: a piece is drawn in proportion to its crops of
      max_len - 1 tokens ** length_balance (`crops_per_piece`): 0.0 every
      piece alike, 1.0 every token alike.

  Returns:
    int32 [per_replica_batch, max_len] batches.
  """
  if input_context is not None:
    input_context.get_per_replica_batch_size(global_batch_size)  # Divisible.
    seed = seed * 1000  # The stream one-process runs have always drawn.
  examples = filter_genres(examples, genre_ids)
  examples = crops_per_piece(
      examples.map(lambda ex: (ex['tokens'], ex['genre'])), max_len - 1,
      length_balance)
  if genre_weights:
    ids = sorted(genre_weights)
    examples = tf.data.Dataset.sample_from_datasets(
        [examples.filter(lambda tokens, genre, i=i: tf.equal(
            tf.cast(genre, tf.int64), i)).shuffle(
                shuffle_buffer, seed=seed + 1 + i).repeat() for i in ids],
        weights=[float(genre_weights[i]) for i in ids], seed=seed)
  else:
    examples = examples.shuffle(shuffle_buffer, seed=seed).repeat()
  # Per-element stateless seeds make crops and augmentation reproducible.
  seeds = tf.data.Dataset.random(seed=seed).batch(2)
  # Crop a little more than needed: stretching can shorten the crop.
  stretched = augment and augmentation.stretches(stretch_factors)
  crop_len = int((max_len - 1) * 1.1) + 1 if stretched else max_len - 1

  def crop(element, element_seed):
    tokens, genre = element
    crop_seed, augment_seed = tf.unstack(
        tf.random.experimental.stateless_split(element_seed, 2))
    tokens = random_crop(tokens, crop_len, crop_seed)
    keep = tf.constant(True)
    if augment:
      tokens, keep = augmentation.augment(tokens, augment_seed,
                                          max_transpose, stretch_factors)
    return _with_genre_token(genre, tokens, max_len), keep

  dataset = tf.data.Dataset.zip((examples, seeds)).map(
      crop, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
  dataset = dataset.filter(lambda sequence, keep: keep).map(
      lambda sequence, keep: sequence)
  dataset = dataset.batch(global_batch_size, drop_remainder=True)
  return replica_slices(dataset, input_context).prefetch(tf.data.AUTOTUNE)


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


def _events_only(tokens):
  """Drops genre, PAD and EOS tokens (the classifier must not see labels)."""
  keep = tf.logical_and(tokens >= vocab.NUM_RESERVED,
                        tokens < vocab.GENRE_OFFSET)
  return tf.boolean_mask(tokens, keep)


def classifier_train_dataset(examples: tf.data.Dataset, genre_ids,
                             min_len: int, max_len: int, batch_size: int,
                             seed: int = 0, augment: bool = True,
                             shuffle_buffer: int = 1024) -> tf.data.Dataset:
  """Endless (crops, labels) batches for the genre classifier.

  Each crop has a length drawn uniformly from [min_len, max_len] and a random
  offset, so the classifier learns to judge short and long excerpts.

  Args:
    examples: TFDS examples with `tokens` and `genre`.
    genre_ids: ClassLabel indices of the classes, in class order: label i is
      genre_ids[i].

  Returns:
    (int32 [batch, max_len] PAD-padded events, int32 [batch] labels).
  """
  examples = filter_genres(examples, genre_ids)
  table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
      tf.constant(list(genre_ids), tf.int64),
      tf.range(len(genre_ids), dtype=tf.int32)), default_value=-1)
  examples = examples.map(lambda ex: (ex['tokens'], ex['genre']))
  examples = examples.shuffle(shuffle_buffer, seed=seed).repeat()
  seeds = tf.data.Dataset.random(seed=seed).batch(2)

  def crop(element, element_seed):
    tokens, genre = element
    length_seed, crop_seed, augment_seed = tf.unstack(
        tf.random.experimental.stateless_split(element_seed, 3))
    length = tf.random.stateless_uniform([], length_seed, min_len,
                                         max_len + 1, tf.int32)
    tokens = random_crop(_events_only(tokens), length, crop_seed)
    keep = tf.size(tokens) > 0
    if augment:
      tokens, augmented = augmentation.augment(tokens, augment_seed)
      keep = tf.logical_and(keep, augmented)
    tokens = tokens[:max_len]
    tokens = tf.pad(tokens, [[0, max_len - tf.shape(tokens)[0]]])
    label = table.lookup(tf.cast(genre, tf.int64))
    return tf.ensure_shape(tokens, [max_len]), label, keep

  dataset = tf.data.Dataset.zip((examples, seeds)).map(
      crop, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
  dataset = dataset.filter(lambda tokens, label, keep: keep).map(
      lambda tokens, label, keep: (tokens, label))
  return dataset.batch(batch_size, drop_remainder=True).prefetch(
      tf.data.AUTOTUNE)


def classifier_eval_dataset(examples: tf.data.Dataset, genre_ids,
                            crop_len: int, batch_size: int,
                            max_crops_per_piece: Optional[int] = None
                            ) -> tf.data.Dataset:
  """(crops, labels) of fixed length for measuring accuracy at that length.

  Each piece is cut into consecutive non-overlapping crops of `crop_len`
  events (a piece shorter than that is one crop; the short tail of a
  longer one is dropped). One pass, fixed order.

  Returns:
    (int32 [batch, crop_len] events, int32 [batch] labels).
  """
  examples = filter_genres(examples, genre_ids)
  table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
      tf.constant(list(genre_ids), tf.int64),
      tf.range(len(genre_ids), dtype=tf.int32)), default_value=-1)

  def to_crops(example):
    tokens = _events_only(example['tokens'])
    size = tf.shape(tokens)[0]
    num_crops = tf.maximum(size // crop_len, 1)
    if max_crops_per_piece:
      num_crops = tf.minimum(num_crops, max_crops_per_piece)
    padded = tf.pad(tokens, [[0, tf.maximum(crop_len - size, 0)]])
    crops = tf.reshape(padded[:num_crops * crop_len], [num_crops, crop_len])
    label = table.lookup(tf.cast(example['genre'], tf.int64))
    return tf.data.Dataset.from_tensor_slices(
        (crops, tf.fill([num_crops], label)))

  return examples.flat_map(to_crops).batch(batch_size).prefetch(
      tf.data.AUTOTUNE)


def adversarial_dataset(examples: tf.data.Dataset, genre_id: int,
                        real_len: int, max_len: int, real_batch_size: int,
                        mle_batch_size: int, seed: int = 0,
                        input_context: Optional[tf.distribute.InputContext]
                        = None, other_genre_ids=(),
                        primer_len: int = 0,
                        augmentation_settings: Optional[dict] = None
                        ) -> tf.data.Dataset:
  """Endless (real crops, MLE batch[, other primers]) of one genre for the
  GAN stage.

  Args:
    examples: TFDS examples.
    genre_id: ClassLabel index of the target genre.
    real_len: events per real crop (primer + rollout length).
    max_len: MLE sequence length (genre token included).
    real_batch_size, mle_batch_size: global batch sizes.
    seed: data order and crops.
    input_context: from `distribute_datasets_from_function`.
    other_genre_ids, primer_len: when given, a third part: primer_len-event
      crops of music of those genres, real_batch_size of them.
    augmentation_settings: train_dataset's stretch_factors and
      max_transpose for the MLE batches (None: its defaults).

  Returns:
    (int32 [b, real_len] events (PAD-padded if a piece is shorter),
     int32 [b', max_len] [GENRE] + events sequences[, int32 [b,
     primer_len] events of other genres]) per replica.
  """
  if input_context is not None:
    for size in (real_batch_size, mle_batch_size):
      input_context.get_per_replica_batch_size(size)  # Divisible.
    seed = seed * 1000
  real = classifier_train_dataset(examples, [genre_id], real_len, real_len,
                                  real_batch_size, seed=seed, augment=False)
  mle = train_dataset(examples, max_len, mle_batch_size, seed=seed + 1,
                      genre_ids=[genre_id], **(augmentation_settings or {}))
  parts = (real.map(lambda crops, labels: crops), mle)
  if other_genre_ids:
    parts += (classifier_train_dataset(
        examples, list(other_genre_ids), primer_len, primer_len,
        real_batch_size, seed=seed + 2, augment=False).map(
            lambda crops, labels: crops),)
  return replica_slices(tf.data.Dataset.zip(parts), input_context)
