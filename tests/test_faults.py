"""Faults a user meets: a full disk, a folder of an earlier run, a write
killed half way. Each ends in one line, and no partial file remains."""

import errno
import os
import subprocess

import numpy as np
import pytest

from genre_transformer_gan import atomic_files
from genre_transformer_gan.generation import audio
from genre_transformer_gan.generation import generate_lib
from tests import console


def _quiet(*_):
  pass


def _partials(folder):
  return [os.path.join(d, f) for d, _, files in os.walk(folder)
          for f in files if '.partial-' in f]


@pytest.fixture(scope='module')
def shipped():
  return generate_lib.load_shipped('small')


def _settings(**kwargs):
  return generate_lib.GenerateSettings(**dict(
      dict(genre='folk', num_samples=4, seconds=2, synth='sine'), **kwargs))


@pytest.fixture
def small_disk(tmp_path):
  """A 300 kB filesystem (tmpfs, as root), else None."""
  disk = tmp_path / 'disk'
  disk.mkdir()
  mounted = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=300k',
                            'tmpfs', str(disk)], capture_output=True,
                           check=False).returncode == 0
  yield disk if mounted else None
  if mounted:
    subprocess.run(['umount', str(disk)], check=False)


def test_an_interrupted_write_keeps_the_old_file_or_none(tmp_path):
  target = tmp_path / 'a.json'
  atomic_files.write_text(target, 'old')
  for error in (KeyboardInterrupt, OSError(errno.EIO, 'io')):
    with pytest.raises(type(error) if isinstance(error, OSError) else error):
      with atomic_files.path(target) as temporary:
        with open(temporary, 'w') as f:
          f.write('half of the new')
        raise error
  assert target.read_text() == 'old' and not _partials(tmp_path)
  with pytest.raises(KeyboardInterrupt):
    with atomic_files.path(tmp_path / 'new.wav') as temporary:
      open(temporary, 'wb').close()
      raise KeyboardInterrupt
  assert sorted(os.listdir(tmp_path)) == ['a.json']
  # The temporary keeps the extension: writers that pick a format by it work.
  assert atomic_files.temporary_name('d/x.png').endswith('.png')


def test_a_full_disk_is_one_line_and_leaves_no_partial_file(
    shipped, small_disk, tmp_path, monkeypatch):
  output = small_disk or tmp_path / 'out'
  if small_disk is None:  # Not root: the WAV writer's disk fills instead.
    real_write = audio.write_wav
    written = []

    def fill_up(path, waveform, rate):
      written.append(path)
      if len(written) == 2:
        with atomic_files.path(path) as temporary:
          open(temporary, 'wb').close()
          raise OSError(errno.ENOSPC, 'No space left on device')
      real_write(path, waveform, rate)
    monkeypatch.setattr(audio, 'write_wav', fill_up)
  with pytest.raises(atomic_files.DiskFullError) as raised:
    generate_lib.generate_files(shipped, str(output), _settings(), log=_quiet)
  message = str(raised.value)
  assert message.startswith('no space left on device writing ')
  assert message.endswith('; free space or choose another --output_dir')
  assert '\n' not in message
  assert not _partials(output)
  assert not os.path.exists(os.path.join(output, 'index.json'))


def test_an_earlier_run_is_refused_then_replaced_with_overwrite(
    shipped, tmp_path):
  output = str(tmp_path / 'folk')
  generate_lib.generate_files(shipped, output, _settings(num_samples=3),
                              log=_quiet)
  before = np.load(os.path.join(output, 'folk_02.npy'))
  with pytest.raises(ValueError, match='holds samples of an earlier run '
                     r'\(index.json, index.md, index.html, ...\); pass '
                     '--overwrite'):
    generate_lib.generate_files(shipped, output, _settings(seed=1),
                                log=_quiet)
  np.testing.assert_array_equal(np.load(os.path.join(output, 'folk_02.npy')),
                                before)  # nothing touched
  lines = []
  generate_lib.generate_files(shipped, output,
                              _settings(num_samples=2, seed=1),
                              log=lines.append, overwrite=True)
  assert any('Removed 15 files of an earlier run' in line for line in lines)
  assert not os.path.exists(os.path.join(output, 'folk_02.npy'))
  assert sorted(f for f in os.listdir(output) if f.endswith('.mid')) == [
      'folk_00.mid', 'folk_01.mid']


@pytest.mark.slow
def test_generate_on_a_full_disk_prints_one_line(small_disk):
  if small_disk is None:
    pytest.skip('mounting a small tmpfs needs root')
  result = console.run_script('genre_gan_generate', '--model=small',
                              '--genre=folk', '--seconds=3',
                              '--num_samples=6',
                              f'--output_dir={small_disk}')
  assert result.returncode == 1
  last = result.stderr.strip().splitlines()[-1]
  assert last.startswith('genre_gan_generate: error: no space left on device '
                         f'writing {small_disk}/')
  assert 'Traceback' not in result.stderr
  assert not _partials(small_disk)


def _corrupt(prefix, how):
  """Flips bytes in, or truncates, a checkpoint's data file."""
  data = [p for p in os.listdir(os.path.dirname(prefix))
          if p.startswith(os.path.basename(prefix) + '.data')][0]
  path = os.path.join(os.path.dirname(prefix), data)
  content = bytearray(open(path, 'rb').read())
  if how == 'flipped':
    middle = len(content) // 2
    content[middle:middle + 64] = bytes(255 - b for b in
                                        content[middle:middle + 64])
  else:
    content = content[:len(content) // 3]
  with open(path, 'wb') as f:
    f.write(bytes(content))


@pytest.mark.eager
@pytest.mark.parametrize('how', ['flipped', 'truncated'])
def test_a_checkpoint_that_does_not_read_names_an_earlier_one(tmp_path, how):
  from genre_transformer_gan import configs  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.models import generator_io  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import mle  # pylint: disable=import-outside-toplevel
  from tests import tiny_models  # pylint: disable=import-outside-toplevel
  config = configs.get_config('tiny')
  data = tiny_models.dataset_fn(tiny_models.sequences(num=8), 8)
  mle.MleTrainer(config, tiny_models.VOCAB_SIZE, str(tmp_path)).train(data, 2)
  trainer = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, str(tmp_path))
  trainer.train(data, 4)
  latest = trainer.manager.latest_checkpoint
  earlier = latest.replace('ckpt-4', 'ckpt-2')
  _corrupt(latest, how)
  # Loading it to generate: one line naming the cause and ckpt-2.
  with pytest.raises(ValueError) as raised:
    generator_io.restore_weights(tiny_models.generator(), latest)
  message = str(raised.value)
  assert message.startswith(f'Checkpoint {latest} cannot be read (')
  assert f'{earlier} in the same folder reads' in message
  assert '\n' not in message
  # Training resumes from ckpt-2, saying so.
  warnings = []
  from absl import logging  # pylint: disable=import-outside-toplevel
  original = logging.warning
  logging.warning = lambda message, *args: warnings.append(message % args)
  try:
    resumed = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, str(tmp_path))
  finally:
    logging.warning = original
  assert resumed.restored_from == earlier and resumed.step == 2
  assert any(f'resuming from {earlier}' in w for w in warnings)
  resumed.train(data, 4)  # and it trains past the bad one again
  assert resumed.step == 4
  assert not generator_io.checkpoint_files.cause_if_unreadable(
      resumed.manager.latest_checkpoint)


def test_garbage_sample_files_are_skipped_by_reason(tmp_path):
  from genre_transformer_gan.evaluation import report  # pylint: disable=import-outside-toplevel
  (tmp_path / 'empty.mid').write_bytes(b'')
  (tmp_path / 'noise.mid').write_bytes(os.urandom(300))
  np.save(tmp_path / 'huge.npy', np.array([2**40, 5, 7], np.int64))
  np.save(tmp_path / 'floats.npy', np.random.default_rng(0).random(50))
  np.save(tmp_path / 'negative.npy', np.array([-3, 100, 300]))
  (tmp_path / 'notes.txt').write_text('not tokens at all')
  found, skipped = report.read_samples(str(tmp_path))
  assert found == []
  assert skipped['bad_token_file'] == 2  # the floats and the text
  assert skipped['tokens_out_of_vocabulary'] == 2
  assert sum(skipped.values()) == 6


def test_samples_too_short_to_judge_are_an_error_not_a_report():
  from genre_transformer_gan.data import vocabulary as vocab  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.evaluation import report  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.evaluation import report_format  # pylint: disable=import-outside-toplevel
  one_note = np.array([vocab.NOTE_ON_OFFSET + 60, vocab.TIME_SHIFT_OFFSET + 9,
                       vocab.NOTE_OFF_OFFSET + 60] * 2, np.int32)
  with pytest.raises(ValueError, match='too short to judge: a median of 6 '
                     'tokens and 2 notes'):
    report.check_judgeable([one_note] * 4)  # genre_gan_evaluate's door
  lines = report_format.sanity_warnings([
      {'genre': 'folk', 'set': 'real (test)', 'fidelity': 0.2},
      {'genre': 'folk', 'set': 'generated', 'fidelity': 0.0},
      {'genre': 'classical', 'set': 'real (test)', 'fidelity': 0.9}])
  assert len(lines) == 1 and lines[0].startswith(
      'WARNING: real folk music (real (test)) is judged folk only 0.20')
  # A user's folder with one held-out piece, and none for the reference.
  lines = report_format.sanity_warnings([
      {'genre': 'tunes', 'set': 'generated', 'fidelity': 1.0,
       'c2st_accuracy': 0.89, 'reference_split': 'train'},
      {'genre': 'tunes', 'set': 'real (test)', 'fidelity': 1.0,
       'c2st_accuracy': None, 'reference_split': 'train'},
      {'genre': 'jigs', 'set': 'generated', 'fidelity': 1.0,
       'c2st_accuracy': 0.6, 'reference_split': 'validation'},
      {'genre': 'jigs', 'set': 'real (test)', 'fidelity': 1.0,
       'c2st_accuracy': 0.5, 'reference_split': 'validation'}])
  assert len(lines) == 2
  assert lines[0].startswith('WARNING: tunes has no held-out music')
  assert lines[1].startswith('WARNING: the held-out tunes music of real '
                             '(test) is too little for the two-sample test')


def test_two_runs_cannot_write_one_model_dir(tmp_path):
  from genre_transformer_gan import file_checks  # pylint: disable=import-outside-toplevel
  folder = str(tmp_path)
  with file_checks.exclusive(folder, '--model_dir', 'genre_gan_train'):
    with pytest.raises(ValueError, match=r'Another genre_gan_train \(process '
                       f'{os.getpid()} on .*\\) is writing to '
                       f'--model_dir={folder}; wait'):
      with file_checks.exclusive(folder, '--model_dir', 'genre_gan_train'):
        pass
  assert not os.path.exists(tmp_path / file_checks.LOCK_FILE)  # released
  # A lock left by a killed run is taken over.
  import socket  # pylint: disable=import-outside-toplevel
  (tmp_path / file_checks.LOCK_FILE).write_text(
      f'{socket.gethostname()} 999999999')
  with file_checks.exclusive(folder, '--model_dir', 'genre_gan_train'):
    assert (tmp_path / file_checks.LOCK_FILE).read_text().endswith(
        str(os.getpid()))
