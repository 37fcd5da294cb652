"""data/shipped_renderings.py: music21's renderings of corpus_genre/small,
shipped in the package, read only under their own key and only intact, and
byte for byte music21's (the oracle)."""

import os

import numpy as np
import pytest

from genre_transformer_gan.data import corpus_lib
from genre_transformer_gan.data import midi_cache
from genre_transformer_gan.data import shipped_renderings


def _exported(tmp_path, entries, keys):
  cache = midi_cache.MidiCache(str(tmp_path / 'cache'))
  for key, data in entries.items():
    cache.put(key, data)
  path = str(tmp_path / 'shipped.npz')
  return path, shipped_renderings.export(keys, cache.folder, path)


def test_entries_are_read_under_their_key_and_only_intact(tmp_path):
  path, result = _exported(tmp_path, {'a': b'MThd one', 'b': b'MThd two'},
                           ['a', 'b', 'c'])
  assert result['exported'] == 2 and result['missing'] == 1
  assert result['bytes'] == os.path.getsize(path)
  assert shipped_renderings.get('a', path) == b'MThd one'
  assert shipped_renderings.get('b', path) == b'MThd two'
  assert shipped_renderings.get('c', path) is None
  import music21  # pylint: disable=import-outside-toplevel
  assert shipped_renderings.music21_version(path) == music21.__version__
  # An entry altered in the file is a miss, not wrong music.
  with np.load(path, allow_pickle=False) as archive:
    entries = {name: archive[name] for name in archive.files}
  name = midi_cache.entry_name('a')
  entries[name] = entries[name].copy()
  entries[name][5] ^= 1
  damaged = str(tmp_path / 'damaged.npz')
  np.savez_compressed(damaged, **entries)
  assert shipped_renderings.get('a', damaged) is None
  assert shipped_renderings.get('b', damaged) == b'MThd two'


def test_a_file_that_does_not_read_is_no_entry_and_one_warning(
    tmp_path, monkeypatch):
  warnings = []
  monkeypatch.setattr(shipped_renderings.logging, 'warning',
                      lambda *args: warnings.append(args))
  bad = tmp_path / 'bad.npz'
  bad.write_bytes(b'PK\x03\x04 not a zip')
  for _ in range(2):
    assert shipped_renderings.get('a', str(bad)) is None
  assert len(warnings) == 1 and 'Reinstall the package' in warnings[0][0]
  assert shipped_renderings.get('a', str(tmp_path / 'absent.npz')) is None
  assert len(warnings) == 1  # Absent: nothing shipped, nothing to say.


def test_the_environment_chooses_the_file_or_none(tmp_path, monkeypatch):
  path, _ = _exported(tmp_path, {'a': b'MThd one'}, ['a'])
  monkeypatch.setenv(shipped_renderings.ENVIRONMENT, path)
  assert shipped_renderings.get('a') == b'MThd one'
  monkeypatch.setenv(shipped_renderings.ENVIRONMENT, '')
  assert shipped_renderings.get('a') is None
  assert shipped_renderings.music21_version() is None


def test_export_without_any_rendering_writes_nothing(tmp_path):
  path, _ = _exported(tmp_path, {'a': b'MThd one'}, ['a'])
  with open(path, 'rb') as f:
    before = f.read()
  with pytest.raises(ValueError, match='build the dataset there first'):
    shipped_renderings.export(['x'], str(tmp_path / 'cache'), path)
  with open(path, 'rb') as f:
    assert f.read() == before


def test_a_piece_is_read_from_the_cache_then_the_package_then_rendered(
    tmp_path, monkeypatch):
  """Shipped bytes are used but not copied into the build's cache; what
  music21 renders is kept there."""
  piece = corpus_lib.Piece('classical', 'bach/bwv244.40.mxl')
  key = corpus_lib.rendering_key(piece)
  shipped, rendered = {}, []
  monkeypatch.setattr(shipped_renderings, 'get',
                      lambda k: shipped.get(k))
  monkeypatch.setattr(corpus_lib, '_render',
                      lambda p: rendered.append(p.id) or b'MThd music21')
  folder = str(tmp_path / 'cache')
  shipped[key] = b'MThd shipped'
  assert corpus_lib.piece_to_midi(piece, folder) == b'MThd shipped'
  assert not rendered and midi_cache.MidiCache(folder).get(key) is None
  del shipped[key]
  assert corpus_lib.piece_to_midi(piece, folder) == b'MThd music21'
  assert midi_cache.MidiCache(folder).get(key) == b'MThd music21'
  shipped[key] = b'MThd shipped'
  assert corpus_lib.piece_to_midi(piece, folder) == b'MThd music21'
  assert corpus_lib.piece_to_midi(piece) == b'MThd music21'  # No cache.
  assert rendered == [piece.id, piece.id]


def test_the_dataset_command_exports_what_a_build_kept(tmp_path,
                                                       monkeypatch):
  """genre_gan_dataset --export_renderings: the renderings a build kept, of
  its config's pieces; nothing written again when the file holds them
  all but those music21 cannot render; a dataset other than corpus_genre
  refused in one line."""
  import types  # pylint: disable=import-outside-toplevel
  from absl import flags  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import example_lib  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.scripts import genre_gan_dataset  # pylint: disable=import-outside-toplevel
  from tfds_builders.corpus_genre import corpus_genre_dataset_builder  # pylint: disable=import-outside-toplevel
  pieces = [corpus_lib.Piece('folk', f'tunes/tune{i}.abc') for i in range(3)]
  monkeypatch.setattr(corpus_lib, 'list_pieces', lambda *args: pieces)
  version_dir = tmp_path / 'data' / 'corpus_genre' / 'small' / '1.3.0'
  version_dir.mkdir(parents=True)
  example_lib.write_skip_summary(version_dir, {'score_error': 1})
  cache = midi_cache.MidiCache(corpus_genre_dataset_builder.kept_renderings(
      tmp_path / 'data'))
  for i, piece in enumerate(pieces[:2]):
    cache.put(corpus_lib.rendering_key(piece), b'MThd %d' % i)
  builder = types.SimpleNamespace(
      builder_config=types.SimpleNamespace(max_per_genre=None,
                                           max_file_bytes=None),
      data_dir=str(version_dir), data_dir_root=str(tmp_path / 'data'))
  path = str(tmp_path / 'shipped.npz')
  said = genre_gan_dataset.export_renderings(builder, path)
  assert said.startswith('Wrote 2 renderings') and '1 pieces have none' in said
  assert shipped_renderings.get(corpus_lib.rendering_key(pieces[1]),
                                path) == b'MThd 1'
  assert 'nothing to export' in genre_gan_dataset.export_renderings(builder,
                                                                    path)
  flags.FLAGS(['genre_gan_dataset', '--dataset=lakh_genre/tagtraum_cd2c',
               f'--export_renderings={path}'])
  try:
    with pytest.raises(ValueError, match='pass --dataset=corpus_genre'):
      genre_gan_dataset.run()
  finally:
    flags.FLAGS.unparse_flags()


def _small_pieces():
  from tfds_builders.corpus_genre import corpus_genre_dataset_builder  # pylint: disable=import-outside-toplevel
  config = corpus_genre_dataset_builder.Builder.builder_configs['small']
  return corpus_lib.list_pieces(config.max_per_genre, config.max_file_bytes)


@pytest.mark.slow
def test_the_shipped_renderings_are_music21s():
  """The smallest and the largest score of each genre that the package
  ships, rendered again by music21: the same bytes."""
  import music21  # pylint: disable=import-outside-toplevel
  if shipped_renderings.music21_version() != music21.__version__:
    pytest.skip(f'music21 {music21.__version__}, renderings of '
                f'{shipped_renderings.music21_version()}: builds render '
                'every score (bin/ship_renderings.sh re-exports them).')
  by_genre = {}
  for piece in _small_pieces():
    if shipped_renderings.get(corpus_lib.rendering_key(piece)) is not None:
      by_genre.setdefault(piece.genre, []).append(piece)
  assert sorted(by_genre) == ['classical', 'early', 'folk']
  size = lambda p: os.path.getsize(  # noqa: E731
      os.path.join(corpus_lib.corpus_root(), p.path))
  for pieces in by_genre.values():
    assert len(pieces) >= 140
    for piece in (min(pieces, key=size), max(pieces, key=size)):
      assert corpus_lib.piece_to_midi(piece) == shipped_renderings.get(
          corpus_lib.rendering_key(piece)), piece.id
