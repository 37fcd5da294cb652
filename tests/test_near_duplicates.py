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


def _split_by_name(item):
  """Test ids name their split by hash: 'train:a' -> 'train'."""
  return item.split(':')[0]


def test_without_reference_a_group_takes_its_first_ids_split():
  keys = {'test:a': ((1,), None), 'train:b': ((1,), None),
          'validation:c': (None, None)}
  splits = near_duplicates.splits_keeping_groups(keys, _split_by_name)
  assert splits == {'test:a': 'test', 'train:b': 'test',
                    'validation:c': 'validation'}


def test_reference_held_out_music_never_lands_in_train():
  # Reference pieces r1 (train by hash) and r2 (validation) are not
  # near-duplicates of each other; the larger build's f bridges them.
  keys = {'train:r1': ((1,), None), 'validation:r2': (None, (2,)),
          'train:f': ((1,), (2,)),
          'test:r3': ((5,), None), 'train:r4': ((5,), None),  # a ref group
          'train:g': (None, (7,)), 'test:h': (None, (7,))}
  reference = ['train:r1', 'validation:r2', 'test:r3', 'train:r4']
  splits = near_duplicates.splits_keeping_groups(keys, _split_by_name,
                                                 reference)
  assert {splits[i] for i in ('train:r1', 'validation:r2', 'train:f')} == {
      'validation'}
  # The reference's own group kept its first id's split, as the small build.
  assert splits['test:r3'] == splits['train:r4'] == 'test'
  assert splits['train:g'] == splits['test:h'] == 'test'  # by first id


def test_splits_keeping_groups_invariants_on_random_keys():
  rng = np.random.default_rng(3)
  for trial in range(20):
    names = [f'{rng.choice(["train"] * 8 + ["validation", "test"])}:{i}'
             for i in range(60)]
    keys = {n: (None if rng.random() < 0.3 else (int(rng.integers(20)),),
                None if rng.random() < 0.3 else (int(rng.integers(20)),))
            for n in names}
    reference = [n for n in names if rng.random() < 0.4]
    splits = near_duplicates.splits_keeping_groups(keys, _split_by_name,
                                                   reference)
    assert not near_duplicates.cross_split_groups(keys, splits), trial
    reference_keys = {n: keys[n] for n in reference}
    own = near_duplicates.splits_keeping_groups(reference_keys,
                                                _split_by_name)
    groups = near_duplicates.group_near_duplicates(keys)
    grouped = {n for g in groups for n in g}
    for n in reference:
      if own[n] != 'train':  # held out in the reference: out of train
        assert splits[n] != 'train', (trial, n)
      if n not in grouped:  # alone in the larger build: its own split
        assert splits[n] == own[n], (trial, n)


def test_beam_path_converts_once_and_keeps_groups_in_one_split(monkeypatch):
  """corpus_genre/full's Beam transforms, run in-process on fake pieces."""
  import apache_beam as beam  # pylint: disable=import-outside-toplevel
  from apache_beam.runners.portability.fn_api_runner import fn_runner  # pylint: disable=import-outside-toplevel
  from apache_beam.testing import util as beam_util  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import corpus_lib  # pylint: disable=import-outside-toplevel

  split_of = corpus_genre_dataset_builder.split_of
  names = [f'tune{i}' for i in range(200)]
  by_split = {s: [n for n in names if split_of(n) == s]
              for s in ('train', 'validation', 'test')}
  # Tune "a": a train id and a test id; tune "b": a small validation piece
  # and a train id only the larger build has. The rest: unrelated noise.
  tune_a = [by_split['train'][0], by_split['test'][0]]
  tune_b = [by_split['validation'][0], by_split['train'][1]]
  pieces = [corpus_lib.Piece('folk', n) for n in names]
  rng = np.random.default_rng(2)
  melody = {t: rng.integers(60, 80, size=40) for t in ('a', 'b')}
  converted = []

  def process_piece(piece, cache_folder):
    assert cache_folder == 'cache'
    converted.append(piece.id)
    tune = 'a' if piece.id in tune_a else 'b' if piece.id in tune_b else None
    if piece.id == 'tune199':
      return ('skip', 'score_error', piece.id)
    if tune:
      tokens = _tokens([[m] for m in melody[tune]], transpose=len(piece.id))
    else:
      tokens = np.random.default_rng(len(converted)).integers(2, 258, 300)
    return ('ok', piece.id, {'id': piece.id, 'tokens': tokens})

  monkeypatch.setattr(corpus_lib, 'process_piece', process_piece)
  monkeypatch.setattr(corpus_genre_dataset_builder, 'small_piece_ids',
                      lambda: [by_split['validation'][0]] + names[100:150])
  builder = corpus_genre_dataset_builder.Builder(config='full')
  transforms = builder._beam_splits(pieces, 'cache')  # pylint: disable=protected-access
  expected = {s: [] for s in transforms}
  for name in names[:-1]:
    split = split_of(name)
    if name in tune_a:
      split = split_of(min(tune_a))  # the group's first id
    if name in tune_b:
      split = 'validation'  # small's held-out piece pulls its group out
    expected[split].append(name)
  assert split_of(min(tune_a)) in ('train', 'test')
  with beam.Pipeline(runner=fn_runner.FnApiRunner()) as pipeline:
    for split, transform in transforms.items():
      ids = (pipeline | split >> transform
             | f'{split}_ids' >> beam.Map(lambda item: item[0]))
      beam_util.assert_that(ids, beam_util.equal_to(expected[split]),
                            label=f'{split}_check')
  assert sorted(converted) == sorted(names)  # once each, not once a split
