"""genre_gan_dataset: summary table, MIDI export, one-line errors."""

import functools
import os

import note_seq
import pytest

from tests import console

# The slow tier: the command in subprocesses, with a Beam build.
pytestmark = pytest.mark.slow

_FOLDERS = os.path.join(console.REPO, 'tfds_builders', 'midi_folders',
                        'dummy_data')
_run = functools.partial(console.run_script, 'genre_gan_dataset')


def test_builds_summarises_and_exports(tmp_path):
  result = _run('--dataset=midi_folders', f'--manual_dir={_FOLDERS}',
                f'--data_dir={tmp_path / "data"}',
                f'--export_dir={tmp_path / "midi"}', '--num_export=1')
  assert result.returncode == 0, result.stderr[-2000:]
  assert 'train      classical' in result.stdout
  assert 'train      folk_rock' in result.stdout
  assert 'skipped: unreadable=1' in result.stdout
  exported = sorted(os.listdir(tmp_path / 'midi'))
  assert len(exported) == 2
  ns = note_seq.midi_file_to_note_sequence(str(tmp_path / 'midi' / exported[0]))
  assert len(ns.notes) > 0
