"""The fast note decoder equals note_seq's Performance.to_sequence."""

import numpy as np
import pytest

from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab


def _oracle(tokens, max_note_seconds=None):
  sequence = tokenizer.tokens_to_note_sequence(
      tokens, max_note_seconds=max_note_seconds)
  rows = sorted((n.start_time, n.pitch, n.end_time, n.velocity)
                for n in sequence.notes)
  return rows, sequence.total_time


def _rounded(rows, total_time):
  """_oracle's result in whole microseconds (start + max_note_duration and
  a step's time differ in the last bits)."""
  return ([(round(start, 6), pitch, round(end, 6), velocity)
           for start, pitch, end, velocity in rows], round(total_time, 6))


def _assert_equal_to_oracle(tokens, max_note_seconds=None):
  """notes_of_tokens(tokens) against note_seq; with max_note_seconds, of
  the tokens capped by notes.cap_note_durations."""
  if max_note_seconds is not None:
    tokens = notes_lib.cap_note_durations(
        tokens, round(max_note_seconds * vocab.STEPS_PER_SECOND))
  notes = notes_lib.notes_of_tokens(tokens)
  rows, total_time = _oracle(tokens)
  assert len(notes) == len(rows)
  if rows:
    start, pitch, end, velocity = map(np.array, zip(*rows))
    np.testing.assert_allclose(notes.start, start, atol=1e-9)
    np.testing.assert_array_equal(notes.pitch, pitch)
    np.testing.assert_allclose(notes.end, end, atol=1e-9)
    np.testing.assert_array_equal(notes.velocity, velocity)
    assert abs(notes.end.max() - total_time) < 1e-9
  return notes


@pytest.mark.slow
def test_equal_to_note_seq_on_real_music(corpus_midi):
  for midi in list(corpus_midi.values())[:40]:
    notes = _assert_equal_to_oracle(tokenizer.encode_midi(midi))
    assert notes.closed.all()


def test_equal_to_note_seq_on_random_streams():
  rng = np.random.default_rng(0)
  for length in (0, 1, 5, 64, 512):
    for _ in range(10):
      tokens = rng.integers(0, vocab.GENRE_OFFSET + 3, size=length)
      _assert_equal_to_oracle(tokens)


def test_capped_tokens_decode_as_note_seqs_max_note_duration():
  """cap_note_durations on tokens == note_seq's max_note_duration on the
  uncapped stream (and both decoders agree on the capped one)."""
  rng = np.random.default_rng(1)
  for max_seconds in (0.05, 0.3, 1.0, 5.0):
    for length in (0, 1, 64, 512):
      for _ in range(5):
        tokens = rng.integers(0, vocab.GENRE_OFFSET + 3, size=length)
        capped = notes_lib.cap_note_durations(
            tokens, round(max_seconds * vocab.STEPS_PER_SECOND))
        assert _rounded(*_oracle(capped)) == _rounded(
            *_oracle(tokens, max_seconds)), max_seconds
        notes = _assert_equal_to_oracle(tokens, max_seconds)
        assert len(notes) == 0 or notes.duration.max() <= max_seconds + 1e-9


def test_a_capped_prefix_begins_the_capped_stream():
  """What generate_lib relies on to find a primer's end after the cap."""
  rng = np.random.default_rng(2)
  for _ in range(20):
    tokens = rng.integers(0, vocab.GENRE_OFFSET, size=300)
    for cut in (0, 1, 100, 299):
      prefix = notes_lib.cap_note_durations(tokens[:cut], 30)
      np.testing.assert_array_equal(
          notes_lib.cap_note_durations(tokens, 30)[:len(prefix)], prefix)


def test_cap_splits_the_shift_and_drops_the_late_note_off():
  on = lambda p: vocab.NOTE_ON_OFFSET + p
  off = lambda p: vocab.NOTE_OFF_OFFSET + p
  shift = lambda steps: vocab.TIME_SHIFT_OFFSET + steps - 1
  # 60 sounds 3 s, 64 0.5 s, 67 is struck again after 1.5 s (its first
  # note ends there, under the cap); the cap is 2 s.
  tokens = [on(60), on(67), shift(100), on(64), shift(50), off(64), on(67),
            shift(100), shift(50), off(60), shift(10), vocab.EOS_ID, on(1)]
  np.testing.assert_array_equal(
      notes_lib.cap_note_durations(tokens, 200),
      [on(60), on(67), shift(100), on(64), shift(50), off(64), on(67),
       shift(50), off(60), shift(50), shift(50), shift(10), vocab.EOS_ID,
       on(1)])
  unchanged = [on(60), shift(100), off(60), shift(3)]
  np.testing.assert_array_equal(
      notes_lib.cap_note_durations(unchanged, 100), unchanged)
  with pytest.raises(ValueError, match='at least 1'):
    notes_lib.cap_note_durations(unchanged, 0)


def test_open_notes_are_marked_and_one_key_sounds_once():
  on = lambda p: vocab.NOTE_ON_OFFSET + p
  off = lambda p: vocab.NOTE_OFF_OFFSET + p
  shift = lambda steps: vocab.TIME_SHIFT_OFFSET + steps - 1
  # 60 struck again ends its first note there; the second NOTE_OFF of 60
  # finds it silent and is ignored, as is the NOTE_OFF of 67 without a
  # NOTE_ON; 64 never ends; then EOS stops decoding.
  tokens = [vocab.GENRE_OFFSET, on(60), shift(10), on(60), on(64), shift(20),
            off(60), off(67), shift(30), off(60), shift(40), vocab.EOS_ID,
            on(70), shift(50)]
  notes = _assert_equal_to_oracle(tokens)
  np.testing.assert_array_equal(notes.pitch, [60, 60, 64])
  np.testing.assert_allclose(notes.start, [0.0, 0.1, 0.1])
  np.testing.assert_allclose(notes.end, [0.1, 0.3, 1.0])
  np.testing.assert_array_equal(notes.closed, [True, True, False])
  assert notes.total_time == 1.0
  assert notes_lib.open_note_onsets(tokens) == [4]


def test_one_key_tokens():
  on = lambda p: vocab.NOTE_ON_OFFSET + p
  off = lambda p: vocab.NOTE_OFF_OFFSET + p
  shift = vocab.TIME_SHIFT_OFFSET
  tokens = [on(60), shift, on(60), off(60), off(60), off(61), on(61),
            vocab.EOS_ID, off(62)]
  np.testing.assert_array_equal(
      notes_lib.one_key_tokens(tokens),
      [on(60), shift, off(60), on(60), off(60), on(61), vocab.EOS_ID,
       off(62)])


@pytest.mark.slow
def test_encoded_music_is_already_one_key(corpus_midi):
  """MIDI encodes to streams `one_key_tokens` leaves alone."""
  for midi in list(corpus_midi.values())[:40]:
    tokens = tokenizer.encode_midi(midi)
    np.testing.assert_array_equal(notes_lib.one_key_tokens(tokens), tokens)
