"""Label files, md5 resolution, folders: the rules of lakh_lib's docstring."""

from genre_transformer_gan.data import lakh_lib
from genre_transformer_gan.testing import synthetic_midi

A, B, C = 'TRAAAAAAAAAAAAAAAA', 'TRBBBBBBBBBBBBBBBB', 'TRCCCCCCCCCCCCCCCC'


def test_genre_slug():
  assert lakh_lib.genre_slug('New Age') == 'new_age'
  assert lakh_lib.genre_slug('Pop_Rock') == 'pop_rock'
  assert lakh_lib.genre_slug(' RnB ') == 'rnb'


def test_parse_label_lines():
  labels, problems = lakh_lib.parse_label_lines([
      '# comment', '', f'{A}\tNew Age', f'{B}\tPop_Rock\tElectronic',
      'garbage line', 'TRSHORT\tJazz', f'{C}\tJazz', f'{C}\tBlues',
      f'{A}\tNew Age'])
  assert labels == {A: 'new_age', B: 'pop_rock'}
  assert problems == {'malformed_label_line': 2, 'conflicting_label': 1}


def test_resolve_md5_genres():
  md5s = ['1' * 32, '2' * 32, '3' * 32, '4' * 32]
  match_scores = {
      A: {md5s[0]: 0.7, md5s[1]: 0.9},
      B: {md5s[0]: 0.8, md5s[2]: 0.6},
      C: {md5s[3]: 0.9},
  }
  labels = {A: 'jazz', B: 'jazz', 'TRDDDDDDDDDDDDDDDD': 'rock'}
  resolved, problems = lakh_lib.resolve_md5_genres(match_scores, labels)
  assert resolved == {md5s[0]: ('jazz', B), md5s[1]: ('jazz', A),
                      md5s[2]: ('jazz', B)}
  assert problems['unlabeled_md5'] == 1
  resolved, problems = lakh_lib.resolve_md5_genres(
      match_scores, {A: 'jazz', B: 'rock'})
  assert md5s[0] not in resolved and problems['conflicting_genres'] == 1


def test_folder_work_items(tmp_path):
  piece = synthetic_midi.style_midi(0, seed=1)
  (tmp_path / 'Classical' / 'sub').mkdir(parents=True)
  (tmp_path / 'folk').mkdir()
  (tmp_path / 'Classical' / 'sub' / 'a.mid').write_bytes(piece)
  (tmp_path / 'Classical' / 'b.MIDI').write_bytes(piece)  # duplicate
  (tmp_path / 'Classical' / 'notes.txt').write_text('not midi')
  (tmp_path / 'folk' / 'c.mid').write_bytes(synthetic_midi.style_midi(1, 2))
  shared = synthetic_midi.style_midi(2, seed=3)
  (tmp_path / 'folk' / 'd.mid').write_bytes(shared)
  (tmp_path / 'Classical' / 'd.mid').write_bytes(shared)  # conflicting
  (tmp_path / 'folk' / 'gone.mid').symlink_to(tmp_path / 'nowhere.mid')
  (tmp_path / 'folk' / 'a folder.mid').mkdir()
  genres, items, problems = lakh_lib.folder_work_items(tmp_path)
  assert genres == ['classical', 'folk']
  assert sorted(i.genre for i in items) == ['classical', 'folk']
  assert problems == {'duplicate_file': 1, 'conflicting_genres': 1,
                      'unopenable_file': 1}


def test_small_genres_keep_held_out_files_and_large_ones_their_hash():
  """midi_folders' rule: a genre of at least 10 files has 2 in validation
  and 2 in test (the train files nearest the held-out range move); a
  smaller genre, and a large one whose hash already gave it enough, keep
  the hash's splits; the same items give the same splits."""
  import hashlib  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import example_lib  # pylint: disable=import-outside-toplevel
  def items(genre, count):
    return [lakh_lib.WorkItem(hashlib.md5(f'{genre}{i}'.encode()).hexdigest(),
                              genre, f'{genre}/{i}.mid')
            for i in range(count)]
  tunes, jigs, reels = items('tunes', 12), items('jigs', 9), items('reels', 400)
  everything = tunes + jigs + reels
  splits = example_lib.splits_with_held_out_minimum(everything, 2, 10)
  assert splits == example_lib.splits_with_held_out_minimum(
      list(reversed(everything)), 2, 10)
  by_hash = {item.md5: example_lib.split_of(item.md5) for item in everything}
  def count(genre_items, split, table):
    return sum(table[item.md5] == split for item in genre_items)
  assert count(tunes, 'validation', by_hash) + count(
      tunes, 'test', by_hash) < 4  # The hash alone leaves tunes short.
  assert count(tunes, 'validation', splits) == 2
  assert count(tunes, 'test', splits) == 2
  moved = [item.md5 for item in tunes if splits[item.md5] != by_hash[item.md5]]
  assert all(by_hash[md5] == 'train' for md5 in moved)
  stayed = [item.md5 for item in tunes
            if splits[item.md5] == by_hash[item.md5] == 'train']
  assert min(example_lib.hash_bucket(md5) for md5 in moved) >= max(
      example_lib.hash_bucket(md5) for md5 in stayed)
  for item in jigs + reels:  # Too small, or already enough by hash.
    assert splits[item.md5] == by_hash[item.md5]
  assert example_lib.splits_with_held_out_minimum(everything, 0, 0) == by_hash
