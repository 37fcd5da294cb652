"""Colab's upload and download, with google.colab.files stood in for."""

import os
import sys
import types
import zipfile

import note_seq
import pytest

from genre_transformer_gan.generation import colab_files


def _midi_bytes(tmp_path):
  sequence = note_seq.NoteSequence()
  for i, pitch in enumerate((60, 64, 67)):
    sequence.notes.add(pitch=pitch, velocity=80, start_time=0.5 * i,
                       end_time=0.5 * i + 0.4)
  sequence.total_time = 1.5
  path = tmp_path / 'made.mid'
  note_seq.sequence_proto_to_midi_file(sequence, str(path))
  return path.read_bytes()


@pytest.fixture
def colab(monkeypatch):
  """A fake google.colab.files: `uploads` is what the picker returns,
  `downloads` what was handed to the browser."""
  files = types.SimpleNamespace(uploads={}, downloads=[])
  files.upload = lambda: files.uploads
  files.download = files.downloads.append
  package = types.ModuleType('google.colab')
  package.files = files
  monkeypatch.setitem(sys.modules, 'google.colab', package)
  return files


def test_outside_colab_each_says_what_to_do(tmp_path, monkeypatch):
  monkeypatch.setitem(sys.modules, 'google.colab', None)  # ImportError
  lines = []
  assert colab_files.upload_midi(str(tmp_path), log=lines.append) is None
  (tmp_path / 'samples').mkdir()
  archive = colab_files.archive(str(tmp_path), ['samples'])
  colab_files.download(archive, log=lines.append)
  assert 'PRIMER_MIDI' in lines[0] and os.path.abspath(archive) in lines[1]


def test_upload_keeps_a_midi_file_and_refuses_others(tmp_path, colab):
  colab.uploads = {'notes.txt': b'hello', 'Tune.MID': _midi_bytes(tmp_path)}
  path = colab_files.upload_midi(str(tmp_path / 'work'), log=lambda _: None)
  assert path == str(tmp_path / 'work' / 'uploads' / 'Tune.MID')
  assert len(note_seq.midi_file_to_note_sequence(path).notes) == 3
  colab.uploads = {}
  assert colab_files.upload_midi(str(tmp_path), log=lambda _: None) is None
  colab.uploads = {'notes.txt': b'hello'}
  with pytest.raises(ValueError, match='upload a MIDI file'):
    colab_files.upload_midi(str(tmp_path), log=lambda _: None)
  colab.uploads = {'broken.mid': b'MThd not really'}
  with pytest.raises(ValueError, match='not a readable MIDI file'):
    colab_files.upload_midi(str(tmp_path / 'bad'), log=lambda _: None)
  assert not (tmp_path / 'bad' / 'uploads' / 'broken.mid').exists()


def test_archive_holds_the_folders_and_is_downloaded(tmp_path, colab):
  (tmp_path / 'samples' / 'folk').mkdir(parents=True)
  (tmp_path / 'samples' / 'folk' / 'folk_00.mid').write_bytes(b'm')
  (tmp_path / 'runs').mkdir()  # Not asked for: left out.
  archive = colab_files.archive(str(tmp_path), ['samples', 'transfer'])
  with zipfile.ZipFile(archive) as z:
    assert z.namelist() == ['results/', 'results/samples/',
                            'results/samples/folk/',
                            'results/samples/folk/folk_00.mid']
  colab_files.download(archive)
  assert colab.downloads == [archive]
  with pytest.raises(FileNotFoundError, match='run the cells'):
    colab_files.archive(str(tmp_path), ['transfer'])
