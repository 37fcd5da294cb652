"""Near-duplicate keys, groups, and the corpus_genre splits."""

import numpy as np
import pytest

from genre_transformer_gan.data import near_duplicates
from genre_transformer_gan.data import vocabulary as vocab
from tfds_builders.corpus_genre import corpus_genre_dataset_builder


def _tokens(chords, transpose=0, steps=25):
  """One chord (list of pitches) per onset, each held `steps` x 10 ms."""
  tokens = []
  for chord in chords:
    tokens += [vocab.NOTE_ON_OFFSET + p + transpose for p in chord]
    tokens += [vocab.TIME_SHIFT_OFFSET + steps - 1]
    tokens += [vocab.NOTE_OFF_OFFSET + p + transpose for p in chord]
  return np.array(tokens)


def test_keys_ignore_transposition_and_harmonisation():
  rng = np.random.default_rng(0)
  melody = rng.integers(60, 80, size=40)
  harmonised = [[m - 12, m] for m in melody]
  other_bass = [[m - 7, m] for m in melody]
  notes_key, melody_key = near_duplicates.keys_of_tokens(_tokens(harmonised))
  assert len(notes_key) == near_duplicates.NOTES_KEY_LENGTH
  assert len(melody_key) == near_duplicates.MELODY_KEY_LENGTH - 1
  assert near_duplicates.keys_of_tokens(_tokens(harmonised, 5)) == (
      notes_key, melody_key)
  other = near_duplicates.keys_of_tokens(_tokens(other_bass))
  assert other[0] != notes_key and other[1] == melody_key
  assert near_duplicates.keys_of_tokens(_tokens([[60]] * 10)) == (None, None)


def test_groups_chain_and_cross_split():
  keys = {'a': ((1,), None), 'b': ((1,), (2,)), 'c': (None, (2,)),
          'd': ((3,), (4,)), 'e': (None, None), 'f': ((3,), None)}
  groups = near_duplicates.group_near_duplicates(keys)
  assert groups == [['a', 'b', 'c'], ['d', 'f']]
  split_of = {'a': 'train', 'b': 'train', 'c': 'test', 'd': 'test',
              'e': 'train', 'f': 'test'}
  assert near_duplicates.cross_split_groups(keys, split_of) == [
      ['a', 'b', 'c']]
  moved = near_duplicates.splits_with_groups(split_of, groups)
  assert moved['c'] == 'train' and moved['f'] == 'test'
  assert not near_duplicates.cross_split_groups(keys, moved)


@pytest.mark.slow
def test_corpus_small_has_no_cross_split_near_duplicates(corpus_small_builder):
  assert near_duplicates.check_builder(corpus_small_builder) == []


def test_corpus_split_keeps_groups_together():
  rng = np.random.default_rng(1)
  melody = rng.integers(60, 80, size=40)
  same = {'example': None}
  results = []
  for i in range(40):
    tokens = _tokens([[m] for m in melody], transpose=i % 3)
    if i >= 20:
      tokens = rng.integers(2, 258, size=300)
    results.append(('ok', f'piece{i}', dict(same, tokens=tokens)))
  splits = corpus_genre_dataset_builder.split_with_near_duplicates(results)
  assert len({splits[f'piece{i}'] for i in range(20)}) == 1
  assert splits['piece0'] == corpus_genre_dataset_builder.split_of('piece0')
