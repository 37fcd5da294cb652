"""Determinism, interruption (SIGKILL) and non-finite losses."""

import dataclasses
import glob
import os
import signal
import subprocess
import time

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from genre_transformer_gan import configs
from genre_transformer_gan.data import pipeline
from genre_transformer_gan import datasets
from genre_transformer_gan.testing import synthetic_lakh
from genre_transformer_gan.training import checkpointing
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import run_lib
from tests import console



def _logged_losses(model_dir):
  """{step: loss} from the trainer's TensorBoard events."""
  losses = {}
  for path in glob.glob(os.path.join(model_dir, 'train', 'events.*')):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        if value.tag == 'loss':
          losses[event.step] = float(tf.make_ndarray(value.tensor))
  return losses


def test_same_seed_same_losses_and_weights(folders_builder, tmp_path):
  config = configs.get_config('tiny')
  config = dataclasses.replace(config, train=dataclasses.replace(
      config.train, log_every=1))
  vocabulary = datasets.get_vocabulary(folders_builder)
  strategy = tf.distribute.get_strategy()
  runs = {}
  for name, seed in (('a', 3), ('b', 3), ('c', 4)):
    model_dir = str(tmp_path / name)
    run_lib.run_mle(config, folders_builder, vocabulary, model_dir, 6,
                    strategy, seed=seed, eval_batches=1)
    runs[name] = (_logged_losses(model_dir), mle.MleTrainer(
        config, vocabulary.size, model_dir).model.get_weights())
  assert sorted(runs['a'][0]) == list(range(1, 7))
  assert runs['a'][0] == runs['b'][0]  # Bitwise equal losses, every step.
  for x, y in zip(runs['a'][1], runs['b'][1]):
    np.testing.assert_array_equal(x, y)
  assert runs['a'][0] != runs['c'][0]


def _tokens_by_id(builder):
  return {ex['id'].decode(): ex['tokens'].tolist()
          for split in builder.info.splits
          for ex in tfds.as_numpy(builder.as_dataset(split=split))}


@pytest.mark.slow
def test_two_builds_give_identical_tokens(tmp_path):
  manual_dir = str(tmp_path / 'lmd')
  synthetic_lakh.write_fake_lakh(manual_dir, num_files=10, bad_files=True)
  builds = [datasets.get_builder('lakh_genre/tagtraum_cd2c',
                                 data_dir=str(tmp_path / name),
                                 manual_dir=manual_dir)
            for name in ('first', 'second')]
  first, second = (_tokens_by_id(b) for b in builds)
  assert len(first) >= 10 and first == second
  for split in builds[0].info.splits:  # Same order within each split too.
    ids = [[ex['id'] for ex in tfds.as_numpy(b.as_dataset(
        split=split, shuffle_files=False))] for b in builds]
    assert ids[0] == ids[1]


@pytest.mark.slow
def test_sigkill_mid_training_then_the_same_command_resumes(
    corpus_small_builder, corpus_data_dir, tmp_path):
  model_dir = str(tmp_path / 'run')
  command = console.script_command('genre_gan_train') + [
      '--phase=mle', '--config=tiny', f'--data_dir={corpus_data_dir}',
      f'--model_dir={model_dir}', '--mle_steps=400', '--eval_every=1000',
      '--eval_batches=1']
  process = subprocess.Popen(command, cwd=console.REPO, env=console.env(),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
  checkpoints = os.path.join(model_dir, 'checkpoints')
  deadline = time.time() + 300
  while time.time() < deadline and process.poll() is None:
    if tf.train.latest_checkpoint(checkpoints) and tf.train.latest_checkpoint(
        checkpoints).endswith(('ckpt-30', 'ckpt-40', 'ckpt-50')):
      break
    time.sleep(0.05)
  assert process.poll() is None, 'training ended before it could be killed'
  process.send_signal(signal.SIGKILL)
  process.wait()
  killed_at = int(tf.train.latest_checkpoint(checkpoints).split('-')[-1])
  assert 30 <= killed_at < 400

  result = subprocess.run(command, cwd=console.REPO, env=console.env(),
                          capture_output=True, text=True, timeout=600)
  assert result.returncode == 0, result.stderr[-3000:]
  assert f'at step {killed_at}' in result.stderr  # Resumed, not restarted.
  assert 'MLE step 400' in result.stdout
  # Every checkpoint the manager lists restores completely, the input
  # iterator's state included (attached as MleTrainer.train attaches it).
  config = configs.get_config('tiny')
  vocabulary = datasets.get_vocabulary(corpus_small_builder)
  trainer = mle.MleTrainer(config, vocabulary.size, model_dir)
  assert trainer.step == 400
  checkpointing.attach_input(trainer.checkpoint, iter(
      trainer.strategy.distribute_datasets_from_function(
          run_lib.mle_dataset_fn(config, corpus_small_builder))))
  for prefix in trainer.manager.checkpoints:
    trainer.checkpoint.restore(prefix).assert_consumed()


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(
    folders_builder, tmp_path):
  config = configs.get_config('tiny')
  vocabulary = datasets.get_vocabulary(folders_builder)
  model_dir = str(tmp_path / 'run')
  strategy = tf.distribute.get_strategy()
  run_lib.run_mle(config, folders_builder, vocabulary, model_dir, 10,
                  strategy, eval_batches=1)
  good = mle.MleTrainer(config, vocabulary.size, model_dir)
  good_weights = good.model.get_weights()
  good.model.weights[0].assign(tf.fill(good.model.weights[0].shape,
                                        float('nan')))
  fn = lambda context: pipeline.train_dataset(
      folders_builder.as_dataset(split='train'), config.max_len,
      config.batch_size, input_context=context)
  with pytest.raises(FloatingPointError, match='re-run'):
    good.train(fn, 20)
  assert tf.train.latest_checkpoint(os.path.join(
      model_dir, 'checkpoints')).endswith('ckpt-10')
  restored = mle.MleTrainer(config, vocabulary.size, model_dir)
  assert restored.step == 10
  for a, b in zip(restored.model.get_weights(), good_weights):
    np.testing.assert_array_equal(a, b)
