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
      'garbage line', f'TRSHORT\tJazz', f'{C}\tJazz', f'{C}\tBlues',
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
  genres, items, problems = lakh_lib.folder_work_items(tmp_path)
  assert genres == ['classical', 'folk']
  assert sorted(i.genre for i in items) == ['classical', 'folk']
  assert problems == {'duplicate_file': 1, 'conflicting_genres': 1}
