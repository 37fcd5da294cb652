"""The documented `tfds build` commands, in subprocesses, on generated data."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import tensorflow_datasets as tfds

from genre_transformer_gan.data import example_lib
from genre_transformer_gan.testing import synthetic_lakh

# The slow tier: `tfds build` processes with Beam workers.
pytestmark = pytest.mark.slow

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_MULTI_PROCESS = ('direct_num_workers=2,'
                  'direct_running_mode=multi_processing')


def _tfds_build(args, cwd, expect_ok=True):
  tfds_cli = shutil.which('tfds')
  command = ([tfds_cli] if tfds_cli else
             [sys.executable, '-m', 'tensorflow_datasets.scripts.cli.main'])
  env = dict(os.environ, PYTHONPATH=_REPO)
  result = subprocess.run(command + ['build'] + args, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
  if expect_ok:
    assert result.returncode == 0, result.stderr[-3000:]
  # The builders pick Beam's local runner: no download of Prism, no banner.
  assert 'prism' not in result.stderr.lower(), result.stderr[-3000:]
  assert 'nor `beam_options`' not in result.stderr
  return result


def _check(data_dir, name, expected):
  import tfds_builders  # pylint: disable=import-outside-toplevel,unused-import
  builder = tfds.builder(name, data_dir=data_dir)
  counts = {split: info.num_examples for split, info in
            builder.info.splits.items()}
  assert counts == expected['splits']
  assert builder.info.features['genre'].names == expected['genres']
  for split in counts:  # Readable, with the promised features.
    for example in tfds.as_numpy(builder.as_dataset(split=split).take(2)):
      assert example['tokens'].dtype == 'int32' and len(example['tokens'])
      assert example['num_notes'] > 0 and example['duration'] > 0
  summary = json.loads(open(os.path.join(
      builder.data_dir, example_lib.SKIPPED_FILENAME)).read())
  assert summary['skipped'] == expected['skipped']
  assert summary['labels'] == expected['labels']


def test_extracted_from_builder_folder(tmp_path):
  manual_dir = tmp_path / 'manual'
  expected = synthetic_lakh.write_fake_lakh(manual_dir, num_files=10, seed=4)
  _tfds_build(['--config=tagtraum_cd2c', f'--manual_dir={manual_dir}',
               f'--data_dir={tmp_path / "data"}'],
              cwd=os.path.join(_REPO, 'tfds_builders', 'lakh_genre'))
  _check(str(tmp_path / 'data'), 'lakh_genre/tagtraum_cd2c', expected)


def test_magd_config_reads_its_label_file(tmp_path):
  manual_dir = tmp_path / 'manual'
  expected = synthetic_lakh.write_fake_lakh(
      manual_dir, num_files=10, genres=('Classical', 'Pop_Rock', 'Stage'),
      seed=5)
  os.remove(manual_dir / 'msd_tagtraum_cd2c.cls')
  _tfds_build(['lakh_genre/magd', '--imports=tfds_builders',
               f'--manual_dir={manual_dir}', f'--data_dir={tmp_path / "data"}'],
              cwd=_REPO)
  _check(str(tmp_path / 'data'), 'lakh_genre/magd', expected)


def test_bare_lakh_genre_builds_every_config(tmp_path):
  """`tfds build lakh_genre`, as the card says: one manual_dir, all configs."""
  manual_dir = tmp_path / 'manual'
  expected = synthetic_lakh.write_fake_lakh(manual_dir, num_files=8, seed=8)
  _tfds_build(['lakh_genre', '--imports=tfds_builders',
               f'--manual_dir={manual_dir}', f'--data_dir={tmp_path / "data"}'],
              cwd=_REPO)
  for config in ('tagtraum_cd2c', 'tagtraum_cd1', 'tagtraum_cd2', 'magd'):
    _check(str(tmp_path / 'data'), f'lakh_genre/{config}', expected)


def test_missing_label_file_names_the_configs_to_build(tmp_path):
  manual_dir = tmp_path / 'manual'
  synthetic_lakh.write_fake_lakh(manual_dir, num_files=4, seed=9)
  for name in synthetic_lakh.LABEL_FILES[:3]:  # Only MAGD's is left.
    os.remove(manual_dir / name)
  result = _tfds_build(['lakh_genre', '--imports=tfds_builders',
                        f'--manual_dir={manual_dir}',
                        f'--data_dir={tmp_path / "data"}'],
                       cwd=_REPO, expect_ok=False)
  assert result.returncode != 0
  assert ('lakh_genre/tagtraum_cd2c: msd_tagtraum_cd2c.cls is not in'
          in result.stderr)
  assert 'instead: `tfds build lakh_genre/magd`' in result.stderr


def test_midi_folders_builds_with_tfds(tmp_path):
  _tfds_build(['midi_folders', '--imports=tfds_builders',
               f'--manual_dir={_REPO}/tfds_builders/midi_folders/dummy_data',
               f'--data_dir={tmp_path / "data"}'], cwd=_REPO)
  import tfds_builders  # pylint: disable=import-outside-toplevel,unused-import
  builder = tfds.builder('midi_folders', data_dir=str(tmp_path / 'data'))
  assert builder.info.splits['train'].num_examples == 6
  assert builder.info.features['genre'].names == ['classical', 'folk_rock']


def test_an_archive_of_many_files_with_two_beam_workers(tmp_path):
  manual_dir = tmp_path / 'manual'
  expected = synthetic_lakh.write_fake_lakh(manual_dir, num_files=300,
                                            num_corrupt=5, archive=True,
                                            seed=6)
  assert (manual_dir / 'lmd_matched.tar.gz').exists()
  _tfds_build(['lakh_genre/tagtraum_cd2c', '--imports=tfds_builders',
               f'--manual_dir={manual_dir}', f'--data_dir={tmp_path / "data"}',
               f'--beam_pipeline_options={_MULTI_PROCESS}'], cwd=_REPO)
  _check(str(tmp_path / 'data'), 'lakh_genre/tagtraum_cd2c', expected)


def test_a_runner_the_user_names_is_kept():
  from apache_beam.options import pipeline_options  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import beam_builders  # pylint: disable=import-outside-toplevel
  def config(text):
    options = (pipeline_options.PipelineOptions.from_dictionary(
        dict(item.split('=') for item in text.split(','))) if text else None)
    return tfds.download.DownloadConfig(beam_options=options)
  for chosen in ('runner=DirectRunner', 'runner=DataflowRunner,project=p'):
    assert beam_builders.local_runner_unless_chosen(
        config(chosen)).beam_runner is None
  for unchosen in (None, '', _MULTI_PROCESS):
    runner = beam_builders.local_runner_unless_chosen(
        config(unchosen) if unchosen is not None else None).beam_runner
    assert type(runner).__name__ == 'FnApiRunner'
  # A builder may ask for more local workers, only when no options were given.
  assert beam_builders.num_workers(
      beam_builders.local_runner_unless_chosen(None, workers=3)) == 3
  assert beam_builders.num_workers(beam_builders.local_runner_unless_chosen(
      config('direct_num_workers=1'), workers=3)) == 1
  assert beam_builders.num_workers(
      beam_builders.local_runner_unless_chosen(None)) == 1
