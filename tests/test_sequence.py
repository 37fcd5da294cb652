"""sequence.train_genre_gan: the whole `genre_gan_train` sequence in-process.

The command line and both notebooks call this function (test_notebooks.py
checks they do). The whole sequence on the embedded dataset takes about a
minute and a half, so it is in the slow tier, beside the command itself.
"""

import dataclasses
import json
import os

import numpy as np
import pytest

from genre_transformer_gan import configs
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import run_lib
from genre_transformer_gan.training import sequence
from tests import tiny_models


def test_mle_steps_count_beyond_the_start(tmp_path):
  config = configs.get_config('tiny')
  model_dir = str(tmp_path / 'run')
  trainer = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, model_dir)
  trainer.step_offset.assign(7)  # As a pretrained start of 7 steps sets it.
  trainer.manager.save(checkpoint_number=7)
  assert run_lib.mle_start_step(model_dir, None) == 7
  assert run_lib.mle_start_step(str(tmp_path / 'new'), {'step': 2500}) == 2500
  assert run_lib.mle_start_step(str(tmp_path / 'new'), None) == 0
  assert run_lib.default_mle_steps('small', 2500) == 100
  assert run_lib.default_mle_steps('small', 0) == 2500
  resumed = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, model_dir)
  data = tiny_models.sequences()
  result = resumed.train(tiny_models.dataset_fn(data, 8),
                         run_lib.mle_start_step(model_dir, None) + 3)
  assert result['step'] == 10


def test_plan_names_the_start_and_the_target():
  config = configs.get_config('small')
  assert ('start from the pretrained generator (2500 MLE steps), 100 MLE '
          'steps (to step 2600)') in run_lib.plan(
              config, 100, 100, False, 'all', 2500, True)
  assert 'no further MLE steps (to step 2500)' in run_lib.plan(
      config, 0, 100, False, 'mle', 2500, True)


@pytest.mark.slow
def test_the_sequence_writes_the_report_with_its_control_then_resumes(
    corpus_small_builder, tmp_path):
  config = configs.get_config('tiny')
  model_dir = str(tmp_path / 'runs' / 'tiny')
  settings = sequence.RunSettings(genre='folk', model_dir=model_dir,
                                  mle_steps=4, adv_steps=2, num_samples=2,
                                  sample_length=24, eval_batches=1)
  lines = []
  outcome = sequence.train_genre_gan(config, settings,
                                     builder=corpus_small_builder,
                                     strategy='auto', log=lines.append)
  assert lines[0].splitlines()[1].startswith(
      'Plan: train the genre classifier')
  assert outcome['mle']['step'] == 4 and outcome['mle']['pretrained'] is None
  assert outcome['adversarial_dir'] == run_layout.adversarial_dir(model_dir,
                                                                  'folk')
  assert outcome['classifier_path'].startswith(
      os.path.join(run_layout.runs_root(model_dir), 'classifier'))
  with open(os.path.join(outcome['adversarial_dir'], 'evaluation.json')) as f:
    rows = json.load(f)['rows']
  assert [row['set'] for row in rows] == [
      'generated', 'control: MLE only', 'real (test)', 'uniform', 'unigram',
      'shuffled', 'drone']
  assert '| folk | control: MLE only | 2 |' in outcome['report']
  samples = np.load(os.path.join(outcome['adversarial_dir'], 'samples',
                                 'folk_00.npy'))
  control = np.load(os.path.join(outcome['adversarial_dir'],
                                 'samples_control', 'folk_00.npy'))
  assert samples.shape == control.shape == (24,)

  lines.clear()  # The same call resumes: no classifier, no MLE steps.
  again = sequence.train_genre_gan(
      config, dataclasses.replace(settings, adv_steps=3),
      builder=corpus_small_builder, log=lines.append)
  assert lines[0].splitlines()[1].startswith('Plan: 4 MLE steps (to step 4)')
  assert again['mle']['step'] == 4
  assert os.path.exists(os.path.join(again['adversarial_dir'], 'checkpoints',
                                     'ckpt-3.index'))


def test_phase_mle_stops_before_the_adversary(folders_builder, tmp_path):
  outcome = sequence.train_genre_gan(
      configs.get_config('tiny'),
      sequence.RunSettings(phase='mle', model_dir=str(tmp_path / 'tiny'),
                           mle_steps=2, eval_batches=1),
      builder=folders_builder, log=lambda line: None)
  assert outcome['mle']['step'] == 2 and outcome['report'] is None
  assert not os.path.exists(tmp_path / 'classifier')


def test_unknown_phase_is_refused():
  with pytest.raises(ValueError, match='choose one of: all, mle, adversarial'):
    sequence._check(sequence.RunSettings(phase='gan'), None, None)  # pylint: disable=protected-access
