"""midi_cache and corpus_lib's kept renderings: the same bytes as music21's,
a damaged entry rendered again, a failed write never fatal."""

import os

import pytest

from genre_transformer_gan.data import corpus_lib
from genre_transformer_gan.data import midi_cache
from genre_transformer_gan.data import shipped_renderings

_CHORALE = corpus_lib.Piece('classical', 'bach/bwv244.40.mxl')  # 0.1 s


def test_round_trip_and_damaged_entries_are_misses(tmp_path):
  cache = midi_cache.MidiCache(str(tmp_path / 'cache'))
  assert cache.get('a') is None and 'a' not in cache
  cache.put('a', b'MThd one')
  cache.put('b', b'MThd two')
  assert cache.get('a') == b'MThd one' and cache.get('b') == b'MThd two'
  assert 'a' in cache
  path = cache.path('a')
  with open(path, 'rb') as f:
    entry = f.read()
  for damaged in (entry[:-1], entry[:5], b'', b'MThd 0ne' + entry[8:]):
    with open(path, 'wb') as f:
      f.write(damaged)
    assert cache.get('a') is None, damaged
  assert [n for n in os.listdir(tmp_path / 'cache') if n.startswith('.')] == []


def test_a_failed_write_is_logged_once_not_raised(tmp_path):
  (tmp_path / 'file').write_text('not a folder')
  cache = midi_cache.MidiCache(str(tmp_path / 'file' / 'cache'))
  with pytest.MonkeyPatch.context() as patch:
    warnings = []
    patch.setattr(midi_cache.logging, 'warning',
                  lambda *args: warnings.append(args))
    cache.put('a', b'MThd')
    cache.put('b', b'MThd')
    midi_cache.MidiCache(cache.folder).put('c', b'MThd')  # As per piece.
  assert len(warnings) == 1 and 'goes on without them' in warnings[0][0]
  assert cache.get('a') is None


def test_piece_renders_once_and_equals_music21(tmp_path, monkeypatch):
  """The cached bytes are music21's rendering (the oracle: no cache); a
  second call renders nothing; a damaged entry or another rendering
  version renders again. (The package's shipped renderings aside:
  test_shipped_renderings.py.)"""
  monkeypatch.setattr(shipped_renderings, 'get', lambda key: None)
  folder = str(tmp_path / 'cache')
  rendered = []
  render = corpus_lib._render  # pylint: disable=protected-access
  monkeypatch.setattr(corpus_lib, '_render',
                      lambda piece: rendered.append(piece.id) or render(piece))
  oracle = corpus_lib.piece_to_midi(_CHORALE)
  assert oracle.startswith(b'MThd') and len(rendered) == 1
  assert corpus_lib.piece_to_midi(_CHORALE, folder) == oracle
  assert corpus_lib.piece_to_midi(_CHORALE, folder) == oracle
  assert len(rendered) == 2  # The oracle's, then the first cached call's.
  path = midi_cache.MidiCache(folder).path(corpus_lib.rendering_key(_CHORALE))
  with open(path, 'r+b') as f:
    f.truncate(100)
  assert corpus_lib.piece_to_midi(_CHORALE, folder) == oracle
  assert len(rendered) == 3
  assert corpus_lib.piece_to_midi(_CHORALE, folder) == oracle
  assert len(rendered) == 3  # Written again, intact.
  monkeypatch.setattr(corpus_lib, 'RENDERING_VERSION',
                      corpus_lib.RENDERING_VERSION + 1)
  assert corpus_lib.piece_to_midi(_CHORALE, folder) == oracle
  assert len(rendered) == 4
  key = corpus_lib.rendering_key(_CHORALE)
  assert 'music21 ' in key and _CHORALE.id in key


def test_a_score_music21_cannot_read_is_not_cached(tmp_path):
  folder = str(tmp_path / 'cache')
  missing = corpus_lib.Piece('folk', 'ryansMammoth/no_such_tune.abc')
  assert 'missing' in corpus_lib.rendering_key(missing)  # Does not raise.
  result = corpus_lib.process_piece(missing, folder)
  assert result[:2] == ('skip', 'score_error')
  assert not os.path.exists(folder) or not os.listdir(folder)
