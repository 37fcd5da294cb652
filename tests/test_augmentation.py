"""Token augmentation == note_seq's stretch_note_sequence / transpose_note_sequence."""

import collections
import itertools

from note_seq import sequences_lib
import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan.data import augmentation
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab
from tests import midi_cases


def _notes(ns):
  quantized = sequences_lib.quantize_note_sequence_absolute(ns, 100)
  return collections.Counter(
      (n.pitch, n.velocity, n.quantized_start_step, n.quantized_end_step)
      for n in quantized.notes)


@pytest.fixture(scope='module')
def real_tokens(corpus_midi):
  pieces = itertools.islice(corpus_midi.values(), 0, None, 12)
  return [tokenizer.encode_midi(m) for m in pieces]


@pytest.mark.slow
def test_matches_note_seq(real_tokens):
  assert len(real_tokens) >= 8
  for tokens in real_tokens:
    for factor in augmentation.STRETCH_FACTORS:
      for semitones in (-3, 0, 2):
        ours, in_range = augmentation.transpose(
            augmentation.time_stretch(tokens, factor), semitones)
        ns = sequences_lib.stretch_note_sequence(
            tokenizer.tokens_to_note_sequence(tokens), factor)
        ns, deleted = sequences_lib.transpose_note_sequence(
            ns, semitones, min_allowed_pitch=vocab.MIN_ALLOWED_PITCH,
            max_allowed_pitch=vocab.MAX_ALLOWED_PITCH)
        assert bool(in_range) == (deleted == 0)
        if deleted == 0:
          assert _notes(tokenizer.tokens_to_note_sequence(ours.numpy())) == (
              _notes(ns)), (factor, semitones)


def test_identity_and_long_gaps():
  tokens = tokenizer.encode_midi(
      midi_cases.edge_cases()['rest_over_one_second'])
  np.testing.assert_array_equal(augmentation.time_stretch(tokens, 1.0), tokens)
  stretched = augmentation.time_stretch(tokens, 1.05).numpy()
  shift_steps = lambda t: np.sum(  # noqa: E731
      np.where((t >= vocab.TIME_SHIFT_OFFSET) & (t < vocab.VELOCITY_OFFSET),
               t - vocab.TIME_SHIFT_OFFSET + 1, 0))
  assert shift_steps(tokens) > 5000  # a 50 s rest: many shifts of 100
  assert abs(shift_steps(stretched) - 1.05 * shift_steps(tokens)) <= 1
  expected = sequences_lib.stretch_note_sequence(
      tokenizer.tokens_to_note_sequence(tokens), 1.05)
  assert _notes(tokenizer.tokens_to_note_sequence(stretched)) == _notes(
      expected)


def test_out_of_range_transposition_is_flagged():
  tokens = tf.constant([vocab.NOTE_ON_OFFSET + 107, vocab.TIME_SHIFT_OFFSET,
                        vocab.NOTE_OFF_OFFSET + 107])
  moved, ok = augmentation.transpose(tokens, 1)
  assert bool(ok) and moved.numpy()[0] == vocab.NOTE_ON_OFFSET + 108
  _, ok = augmentation.transpose(tokens, 2)
  assert not bool(ok)


@pytest.mark.slow
def test_augment_is_deterministic_in_seed(real_tokens):
  tokens = real_tokens[0][:300]
  a = augmentation.augment(tokens, tf.constant([1, 2]))
  b = augmentation.augment(tokens, tf.constant([1, 2]))
  np.testing.assert_array_equal(a[0], b[0])
  outputs = {augmentation.augment(tokens, tf.constant([s, 0]))[0].numpy()
             .tobytes() for s in range(12)}
  assert len(outputs) > 3
