"""genre_gan_train on the embedded dataset: trains, resumes, refuses."""

import functools
import json
import shutil

import numpy as np
import pytest
import tensorflow as tf

from tests import console

# The slow tier: the command in subprocesses, end to end (sequence.py's
# in-process tests are in test_sequence.py).
pytestmark = pytest.mark.slow

_run = functools.partial(console.run_script, 'genre_gan_train')


def test_all_phases_end_to_end(tiny_run):
  runs, _, result = tiny_run
  model_dir = runs / 'tiny'
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'Plan: train the genre classifier' in result.stdout
  assert 'ETA from its first timed steps' in result.stdout
  assert '20 MLE steps (to step 20)' in result.stdout  # no tiny ships
  adversarial_dir = model_dir / 'adversarial_classical'
  assert (adversarial_dir / 'checkpoints' / 'ckpt-4.index').exists()
  assert len(list((adversarial_dir / 'samples').glob('*.mid'))) == 3
  assert len(list((adversarial_dir / 'samples').glob('*.npy'))) == 3
  with open(adversarial_dir / 'evaluation.json') as f:
    rows = json.load(f)['rows']
  assert rows[0]['set'] == 'generated' and rows[0]['generator_nll'] > 0
  assert rows[0]['classifier_probability'] is not None
  assert [row['set'] for row in rows[1:]] == [
      'control: MLE only', 'real (test)', 'uniform', 'unigram', 'shuffled',
      'drone']
  # The control arm: the MLE generator's samples, judged the same way.
  assert len(list((adversarial_dir / 'samples_control').glob('*.npy'))) == 3
  assert rows[1]['generator_nll'] > 0 and rows[1]['count'] == 3
  assert not np.array_equal(
      np.load(adversarial_dir / 'samples' / 'classical_00.npy'),
      np.load(adversarial_dir / 'samples_control' / 'classical_00.npy'))
  assert '| classical | generated | 3 |' in result.stdout
  assert '| classical | control: MLE only | 3 |' in result.stdout
  assert f'genre_gan_generate --model_dir={model_dir} --genre=classical' in (
      result.stdout)
  # The n-gram cache fitted to the stage's last checkpoint: the report drew
  # with it, and genre_gan_generate does (generator_io.load_generator).
  with open(adversarial_dir / 'ngram_cache.json') as f:
    cache = json.load(f)
  assert cache['genre'] == 'classical' and cache['checkpoint'] == 'ckpt-4'
  assert len(cache['weights']) == 8 and cache['fade'] == 0.7
  assert "n-gram cache fitted on classical's validation music" in (
      result.stdout)
  # Classifier and evaluator were trained next to the run, for reuse.
  assert list((runs / 'classifier').glob('*_tiny/classifier.keras'))
  assert list((runs / 'evaluator').glob('*/evaluator.skops'))
  # TensorBoard got the losses, tau, the samples' measures, audio and image.
  events = [str(p) for p in adversarial_dir.glob('events.out.tfevents.*')]
  tags = {value.tag for path in events
          for event in tf.compat.v1.train.summary_iterator(path)
          for value in event.summary.value}
  assert {'adversarial/genre_loss', 'adversarial/temperature',
          'samples/distinct_4', 'samples/evaluator_probability',
          'samples/evaluator_fidelity', 'samples/evaluator_reject_rate',
          'samples/classifier_probability', 'samples/held_note_share',
          'samples/held_time_share',
          'samples/audio', 'samples/piano_roll'} <= tags


def test_the_same_command_resumes_a_finished_run(tiny_run, tmp_path):
  runs, flags, _ = tiny_run
  shutil.copytree(runs, tmp_path / 'runs')
  adversarial_dir = tmp_path / 'runs' / 'tiny' / 'adversarial_classical'
  result = _run(*flags, f'--model_dir={tmp_path / "runs" / "tiny"}',
                '--adv_steps=6')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'Plan: 20 MLE steps' in result.stdout  # classifier exists
  assert 'Resumed the adversarial stage from' in result.stderr
  assert 'at step 4' in result.stderr
  assert (adversarial_dir / 'checkpoints' / 'ckpt-6.index').exists()
  assert 'adversarial step 6/6' in result.stderr
