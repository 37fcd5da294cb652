"""tf.data pipeline: crops, genre token, chunks, determinism, tf.distribute."""

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import datasets
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.data import vocabulary as vocab


def _as_examples(items):
  """[(int32 tokens, genre)] -> a dataset of TFDS-like examples."""
  return tf.data.Dataset.from_generator(
      lambda: ({'tokens': t, 'genre': g} for t, g in items),
      output_signature={'tokens': tf.TensorSpec([None], tf.int32),
                        'genre': tf.TensorSpec([], tf.int64)})


def _examples(num=6, seed=0):
  rng = np.random.default_rng(seed)
  items = []
  for i in range(num):
    length = int(rng.integers(5, 400))
    tokens = np.where(rng.random(length) < 0.5,
                      vocab.NOTE_ON_OFFSET + rng.integers(40, 80, length),
                      vocab.TIME_SHIFT_OFFSET + rng.integers(0, 100, length))
    items.append((tokens.astype(np.int32), i % 3))
  return _as_examples(items), items


def test_train_batches():
  examples, _ = _examples()
  batch = next(iter(pipeline.train_dataset(
      examples, max_len=64, global_batch_size=8, seed=3)))
  assert batch.shape == (8, 64) and batch.dtype == tf.int32
  batch = batch.numpy()
  assert np.all((batch[:, 0] >= vocab.GENRE_OFFSET) &
                (batch[:, 0] < vocab.GENRE_OFFSET + 3))
  body = batch[:, 1:]
  assert np.all((body == vocab.PAD_ID) | ((body >= vocab.NUM_RESERVED) &
                                          (body < vocab.GENRE_OFFSET)))


def test_train_is_deterministic_and_filters_genres():
  examples, _ = _examples()
  make = lambda seed: pipeline.train_dataset(  # noqa: E731
      examples, max_len=32, global_batch_size=4, seed=seed, genre_ids=[1])
  a = [b.numpy() for b in make(5).take(3)]
  b = [b.numpy() for b in make(5).take(3)]
  c = [b.numpy() for b in make(6).take(3)]
  np.testing.assert_array_equal(a, b)
  assert not np.array_equal(a, c)
  assert np.all(np.concatenate(a)[:, 0] == vocab.GENRE_OFFSET + 1)


def test_genre_balanced_draws():
  """30 examples, 27 of genre 0: drawn as they come, genre 1 is about a
  tenth of the rows; with equal weights about half; deterministic."""
  rng = np.random.default_rng(0)
  items = [(rng.integers(vocab.NOTE_ON_OFFSET, vocab.NOTE_ON_OFFSET + 88,
                         50).astype(np.int32), int(i % 10 == 0))
           for i in range(30)]
  examples = _as_examples(items)
  share = lambda weights: np.mean(np.concatenate([  # noqa: E731
      b.numpy()[:, 0] for b in pipeline.train_dataset(
          examples, max_len=16, global_batch_size=50, seed=1, augment=False,
          genre_weights=weights).take(8)]) == vocab.GENRE_OFFSET + 1)
  assert 0.04 <= share(None) <= 0.2
  balanced = share({0: 0.5, 1: 0.5})
  assert 0.4 <= balanced <= 0.6
  assert share({0: 0.5, 1: 0.5}) == balanced
  assert datasets.genre_weights({'a': 9, 'b': 1, 'c': 0}, 0.0) == {
      'a': 0.5, 'b': 0.5}
  assert datasets.genre_weights({'a': 9, 'b': 1}, 1.0) == {'a': 0.9, 'b': 0.1}
  assert datasets.genre_weights({'a': 9, 'b': 1}, 0.5) == pytest.approx(
      {'a': 0.75, 'b': 0.25})


def test_length_balanced_draws():
  """One piece of 8 crops (genre 1) among four of one crop (genre 0):
  pieces alike, it is a fifth of the rows; tokens alike, 8 of 12; 0.5,
  round(8 ** 0.5) = 3 of 7."""
  rng = np.random.default_rng(0)
  lengths = [8 * 15, 15, 15, 10, 4]  # A piece shorter than a crop: one.
  items = [(rng.integers(vocab.NOTE_ON_OFFSET, vocab.NOTE_ON_OFFSET + 88,
                         n).astype(np.int32), int(i == 0))
           for i, n in enumerate(lengths)]
  examples = _as_examples(items)
  share = lambda balance: np.mean(np.concatenate([  # noqa: E731
      b.numpy()[:, 0] for b in pipeline.train_dataset(
          examples, max_len=16, global_batch_size=84, seed=1, augment=False,
          length_balance=balance).take(5)]) == vocab.GENRE_OFFSET + 1)
  assert share(0.0) == pytest.approx(1 / 5)
  assert share(1.0) == pytest.approx(8 / 12)
  assert share(0.5) == pytest.approx(3 / 7)
  with pytest.raises(ValueError, match='length_balance must be >= 0'):
    share(-1.0)


def test_crops_come_from_the_piece_without_augmentation():
  examples, items = _examples(num=1)
  tokens = items[0][0]
  for batch in pipeline.train_dataset(examples, max_len=16,
                                      global_batch_size=2, augment=False,
                                      seed=1).take(3):
    for row in batch.numpy():
      crop = row[1:]
      windows = np.lib.stride_tricks.sliding_window_view(
          tokens, min(15, len(tokens)))
      assert any(np.array_equal(w, crop[:len(w)]) for w in windows)


def test_eval_chunks_cover_every_token_once():
  examples, items = _examples()
  rows = np.concatenate([b.numpy() for b in pipeline.eval_dataset(
      examples, max_len=50, batch_size=4)])
  expected_rows = sum(-(-len(t) // 49) for t, _ in items)
  assert rows.shape == (expected_rows, 50)
  joined = np.concatenate([r[1:][r[1:] != vocab.PAD_ID] for r in rows])
  np.testing.assert_array_equal(
      joined, np.concatenate([t for t, _ in items]))


def test_distributed_per_replica_batches():
  strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])
  examples, _ = _examples()
  dataset = strategy.distribute_datasets_from_function(
      lambda context: pipeline.train_dataset(
          examples, max_len=32, global_batch_size=8, seed=0,
          input_context=context))
  per_replica = next(iter(dataset))
  shards = strategy.experimental_local_results(per_replica)
  assert len(shards) == 2
  assert all(s.shape == (4, 32) for s in shards)


def test_classifier_crops_vary_in_length_and_carry_class_labels():
  examples, items = _examples(num=9)
  dataset = pipeline.classifier_train_dataset(
      examples, genre_ids=[2, 0], min_len=8, max_len=48, batch_size=16,
      seed=1, augment=False)
  crops, labels = next(iter(dataset))
  assert crops.shape == (16, 48) and labels.shape == (16,)
  lengths = np.sum(crops.numpy() != vocab.PAD_ID, axis=1)
  short = min(len(t) for t, g in items if g in (0, 2))
  assert lengths.min() >= min(8, short) and lengths.max() <= 48
  assert len(set(lengths.tolist())) > 3  # Lengths vary.
  assert set(labels.numpy().tolist()) <= {0, 1}  # genre 2 -> 0, 0 -> 1
  # Every crop is a window of a piece of its class.
  by_label = {0: [t for t, g in items if g == 2],
              1: [t for t, g in items if g == 0]}
  for crop, label in zip(crops.numpy(), labels.numpy()):
    crop = crop[crop != vocab.PAD_ID]
    assert any(crop.tobytes() in t.tobytes() for t in by_label[label])
  again = next(iter(pipeline.classifier_train_dataset(
      examples, genre_ids=[2, 0], min_len=8, max_len=48, batch_size=16,
      seed=1, augment=False)))
  np.testing.assert_array_equal(again[0], crops)


def test_classifier_eval_crops_are_consecutive():
  examples, items = _examples(num=3)
  batches = list(pipeline.classifier_eval_dataset(
      examples, genre_ids=[0, 1, 2], crop_len=50, batch_size=4))
  crops = np.concatenate([c.numpy() for c, _ in batches])
  labels = np.concatenate([l.numpy() for _, l in batches])
  expected = []
  for tokens, genre in items:
    count = max(len(tokens) // 50, 1)
    for i in range(count):
      piece = tokens[i * 50:(i + 1) * 50]
      expected.append((np.pad(piece, [0, 50 - len(piece)]), genre))
  np.testing.assert_array_equal(crops, np.stack([c for c, _ in expected]))
  np.testing.assert_array_equal(labels, [g for _, g in expected])


def test_adversarial_primers_of_other_genres():
  examples, items = _examples(9)
  real, mle_batch, primers = next(iter(pipeline.adversarial_dataset(
      examples, 0, 12, 16, 4, 2, other_genre_ids=[1, 2], primer_len=5)))
  assert real.shape == (4, 12) and mle_batch.shape == (2, 16)
  assert primers.shape == (4, 5)
  others = [t for t, g in items if g != 0]
  for primer in primers.numpy():  # A crop of some other genre's piece.
    assert any(any(np.array_equal(primer, t[i:i + 5])
                   for i in range(len(t) - 4)) for t in others)
  plain = next(iter(pipeline.adversarial_dataset(examples, 0, 12, 16, 4, 2)))
  assert len(plain) == 2


def _intervals_from(tokens, crop):
  """{d}: the runs of `tokens` that `crop` is with its notes moved by d
  semitones and its time shifts unchanged."""
  found = set()
  for window in np.lib.stride_tricks.sliding_window_view(tokens, len(crop)):
    shift = window >= vocab.TIME_SHIFT_OFFSET
    if (np.array_equal(shift, crop >= vocab.TIME_SHIFT_OFFSET) and
        np.array_equal(window[shift], crop[shift])):
      moves = set((crop - window)[~shift].tolist())
      if len(moves) <= 1:
        found.update(moves or {0})
  return found


def test_without_stretch_crops_keep_their_timing_and_transpose_at_most():
  """TrainConfig.stretch_factors (1.0,): every crop is a run of the piece's
  tokens with its time shifts as they were and its notes moved by one
  interval within +-max_transpose (0: the piece itself)."""
  examples, items = _examples(num=1)
  tokens = items[0][0]
  for max_transpose in (2, 0):
    seen = set()
    for batch in pipeline.train_dataset(
        examples, max_len=16, global_batch_size=4, seed=1,
        stretch_factors=(1.0,), max_transpose=max_transpose).take(4):
      for row in batch.numpy():
        intervals = _intervals_from(tokens, row[1:])
        assert {d for d in intervals if abs(d) <= max_transpose}, row
        seen |= intervals
    assert len(seen) > 1 if max_transpose else seen == {0}


def test_the_mle_batches_follow_the_config_s_augmentation(folders_builder):
  """run_lib's MLE batches use TrainConfig.stretch_factors / max_transpose
  (genre_gan_train --augment): with neither, every row is a run of one
  training piece, as stored."""
  # pylint: disable=import-outside-toplevel
  import dataclasses
  from genre_transformer_gan import configs
  from genre_transformer_gan.training import run_lib
  tiny = configs.get_config('tiny')
  plain = dataclasses.replace(tiny, train=dataclasses.replace(
      tiny.train, **configs.AUGMENTATIONS['none']))  # --augment=none
  pieces = [example['tokens'].numpy()
            for example in folders_builder.as_dataset(split='train')]
  batch = next(iter(run_lib.mle_dataset_fn(plain, folders_builder, 0)(None)))
  for row in batch.numpy():
    assert any(0 in _intervals_from(piece, row[1:]) for piece in pieces)
