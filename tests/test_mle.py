"""MLE training: 2 devices == 1 device, exact resume, it learns."""

import dataclasses
import os

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import losses
from genre_transformer_gan.models import music_transformer
from genre_transformer_gan.training import checkpointing
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import precision
from genre_transformer_gan.training import schedules
from tests import tiny_models

_VOCAB = tiny_models.VOCAB_SIZE


def test_two_devices_equal_one_device(tmp_path):
  config = configs.get_config('tiny')
  data = tiny_models.sequences()
  single = mle.MleTrainer(config, _VOCAB, str(tmp_path / 'one'))
  mirrored = mle.MleTrainer(
      config, _VOCAB, str(tmp_path / 'two'),
      strategy=tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1']))
  assert mirrored.strategy.num_replicas_in_sync == 2
  mirrored.model.set_weights(single.model.get_weights())
  np.testing.assert_allclose(tiny_models.losses(mirrored, data, 6),
                             tiny_models.losses(single, data, 6), rtol=1e-5)
  for a, b in zip(single.model.get_weights(), mirrored.model.get_weights()):
    np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.eager
def test_exact_resume(tmp_path):
  config = configs.get_config('tiny')
  data = tiny_models.sequences(num=8)  # one batch, so every step sees the same data
  straight = mle.MleTrainer(config, _VOCAB, str(tmp_path / 'straight'))
  initial = straight.model.get_weights()
  straight.train(tiny_models.dataset_fn(data, 8), 7)

  first = mle.MleTrainer(config, _VOCAB, str(tmp_path / 'resumed'))
  first.model.set_weights(initial)
  first.train(tiny_models.dataset_fn(data, 8), 4)
  resumed = mle.MleTrainer(config, _VOCAB, str(tmp_path / 'resumed'))
  assert resumed.restored_from and resumed.step == 4
  for a, b in zip(first.optimizer.variables, resumed.optimizer.variables):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
  resumed.train(tiny_models.dataset_fn(data, 8), 7)
  assert resumed.step == 7
  for a, b in zip(straight.model.get_weights(), resumed.model.get_weights()):
    np.testing.assert_allclose(a, b, atol=1e-6)
  assert resumed.manager.latest_checkpoint.endswith('ckpt-7')


def _pipeline_fn(seed=0):
  """The real training pipeline (shuffle, random crops, augmentation) over
  40 pieces: many different batches, none repeating soon."""
  rng = np.random.default_rng(7)
  pitches = rng.integers(48, 84, (40, 40))  # on, shift, off: 40 notes each
  shifts = rng.integers(1, 50, (40, 40))
  pieces = np.stack([vocab.NOTE_ON_OFFSET + pitches,
                     vocab.TIME_SHIFT_OFFSET + shifts - 1,
                     vocab.NOTE_OFF_OFFSET + pitches], -1).reshape(40, 120)
  pieces = pieces.astype(np.int32)
  examples = tf.data.Dataset.from_tensor_slices(
      {'tokens': pieces, 'genre': np.arange(40, dtype=np.int64) % 3})
  return lambda context: pipeline.train_dataset(
      examples, 33, 4, seed=seed, shuffle_buffer=16, input_context=context)


@pytest.mark.eager
def test_resume_continues_the_data(tmp_path, monkeypatch):
  """Interrupted at step 4 and resumed == 9 steps straight, batch by batch
  and dropout mask by dropout mask."""
  config = configs.get_config('tiny')
  config = dataclasses.replace(config, transformer=dataclasses.replace(
      config.transformer, dropout=0.1))
  straight = mle.MleTrainer(config, _VOCAB, str(tmp_path / 'straight'))
  initial = straight.model.get_weights()
  straight.train(_pipeline_fn(), 9)

  def interrupted(directory):
    first = mle.MleTrainer(config, _VOCAB, str(directory))
    first.model.set_weights(initial)
    first.train(_pipeline_fn(), 4)
    resumed = mle.MleTrainer(config, _VOCAB, str(directory))
    assert resumed.step == 4
    resumed.train(_pipeline_fn(), 9)
    return resumed.model.get_weights()

  for a, b in zip(straight.model.get_weights(), interrupted(tmp_path / 'r')):
    np.testing.assert_allclose(a, b, atol=1e-6)
  # The control: without the iterator in the checkpoint (as before), the
  # resumed run replays batches 1-5 instead of 5-9, and the weights differ.
  monkeypatch.setattr(checkpointing, 'attach_input', lambda ckpt, it: it)
  replayed = interrupted(tmp_path / 'replayed')
  assert max(np.abs(a - b).max() for a, b in zip(
      straight.model.get_weights(), replayed)) > 1e-3


def test_resume_with_another_pipeline_names_the_fix(tmp_path):
  config = configs.get_config('tiny')
  mle.MleTrainer(config, _VOCAB, str(tmp_path)).train(_pipeline_fn(), 2)
  resumed = mle.MleTrainer(config, _VOCAB, str(tmp_path))
  with pytest.raises(ValueError, match='resume with the same flags'):
    resumed.train(tiny_models.dataset_fn(tiny_models.sequences(num=8), 8), 4)


def test_training_lets_go_of_its_input_iterator(tmp_path, monkeypatch):
  """Freed when train() returns, while the trainer lives: not at some later
  cycle collection, whose wait for the pipeline's threads would stall
  whatever runs then."""
  with tiny_models.attached_iterators(monkeypatch) as attached:
    trainer = mle.MleTrainer(configs.get_config('tiny'), _VOCAB,
                             str(tmp_path))
    trainer.train(_pipeline_fn(), 2)
    assert trainer.step == 2 and len(attached) == 1
    assert attached[0]() is None


def test_should_stop_ends_the_run_with_a_checkpoint(tmp_path):
  trainer = mle.MleTrainer(configs.get_config('tiny'), _VOCAB, str(tmp_path))
  seen = []
  result = trainer.train(tiny_models.dataset_fn(tiny_models.sequences(num=8), 8), 1000,
                         should_stop=lambda step: seen.append(step) or
                         step >= 3)
  assert seen == [1, 2, 3] and result['step'] == trainer.step == 3
  assert trainer.manager.latest_checkpoint.endswith('ckpt-3')


@pytest.mark.parametrize('generator', ['lstm', 'wavenet'])
def test_other_families_learn(generator, tmp_path):
  config = configs.get_config('tiny', generator)
  data = tiny_models.sequences()
  trainer = mle.MleTrainer(config, _VOCAB, str(tmp_path))
  assert type(trainer.model).__name__ != 'MusicTransformer'
  first = trainer.evaluate(tf.data.Dataset.from_tensor_slices(data).batch(8))
  trainer.train(tiny_models.dataset_fn(data, 8), 60)
  last = trainer.evaluate(tf.data.Dataset.from_tensor_slices(data).batch(8))
  assert last < first - 1.0, (first, last)


@pytest.mark.eager
def test_tiny_learns_and_logs(tmp_path):
  config = configs.get_config('tiny')
  data = tiny_models.sequences()
  trainer = mle.MleTrainer(config, _VOCAB, str(tmp_path))
  before = trainer.evaluate(tf.data.Dataset.from_tensor_slices(data).batch(8))
  result = trainer.train(tiny_models.dataset_fn(data, 8), 60,
                         eval_dataset=tf.data.Dataset.from_tensor_slices(
                             data).batch(8))
  assert result['eval_nll'] < 0.5 * before, (before, result)
  assert tf.io.gfile.glob(str(tmp_path / 'train' / 'events.out.tfevents*'))


def test_loss_masks_pad_and_smooths():
  logits = tf.math.log([[[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]])
  targets = tf.constant([[1, 0]])  # the second target is PAD
  plain, mask = losses.token_cross_entropy(logits, targets)
  np.testing.assert_allclose(plain.numpy(), [[-np.log(0.2), 0.0]], rtol=1e-6)
  np.testing.assert_array_equal(mask.numpy(), [[1.0, 0.0]])
  smooth, _ = losses.token_cross_entropy(logits, targets, 0.3)
  expected = -(0.8 * np.log(0.2) + 0.1 * np.log(0.7) + 0.1 * np.log(0.1))
  np.testing.assert_allclose(smooth.numpy()[0, 0], expected, rtol=1e-5)


def test_rsqrt_warmup():
  schedule = schedules.RsqrtWarmup(constant=2.0, warmup_steps=100,
                                   hidden_size=256)
  peak = 2.0 / np.sqrt(100) / 16
  np.testing.assert_allclose(float(schedule(99)), peak, rtol=1e-6)
  np.testing.assert_allclose(float(schedule(49)), peak / 2, rtol=1e-6)
  np.testing.assert_allclose(float(schedule(399)), peak / 2, rtol=1e-6)
  clone = schedules.RsqrtWarmup(**schedule.get_config())
  assert float(clone(10)) == float(schedule(10))


def test_bfloat16_mixed_precision(tmp_path):
  config = configs.get_config('tiny')
  config = dataclasses.replace(config, train=dataclasses.replace(
      config.train, precision='mixed_bfloat16'))
  trainer = mle.MleTrainer(config, _VOCAB, str(tmp_path))
  assert trainer.dtype == 'mixed_bfloat16'
  assert trainer.model.blocks[0].attention.compute_dtype == 'bfloat16'
  assert trainer.model.logits_dense.compute_dtype == 'bfloat16'
  assert {v.dtype for v in trainer.model.weights} == {'float32'}
  assert {v.dtype for v in trainer.optimizer.variables
          if v.dtype != 'int64'} == {'float32'}
  result = trainer.train(tiny_models.dataset_fn(tiny_models.sequences(), 8), 20)
  assert np.isfinite(result['loss']) and result['loss'] < np.log(_VOCAB)


def test_precision_auto_follows_the_cpu_flags():
  assert precision.resolve('auto', flags=frozenset({'avx2', 'avx512_bf16'})
                           ) == 'mixed_bfloat16'
  assert precision.resolve('auto', flags=frozenset({'amx_bf16'})
                           ) == 'mixed_bfloat16'
  assert precision.resolve('auto', flags=frozenset({'avx2', 'avx512f'})
                           ) == 'float32'
  assert precision.resolve('auto', flags=frozenset()) == 'float32'
  assert precision.resolve('float32', flags=frozenset({'amx_bf16'})
                           ) == 'float32'
  with pytest.raises(ValueError, match='auto, float32, mixed_bfloat16'):
    precision.resolve('float16')
  assert configs.get_config('tiny').train.precision == 'float32'
  assert configs.get_config('small').train.precision == 'auto'
  assert configs.get_config('base').train.precision == 'mixed_bfloat16'


def test_the_package_turns_on_onednn_and_runs_say_whether_it_is_on():
  # conftest imports the package before TensorFlow, as the commands do;
  # TF_ENABLE_ONEDNN_OPTS=0 set beforehand keeps the kernels off.
  assert precision.onednn_enabled() == (
      os.environ['TF_ENABLE_ONEDNN_OPTS'] != '0')
  assert precision.describe_cpu(frozenset({'amx_bf16'}), onednn=True) == (
      'CPU bfloat16 flags: amx_bf16, oneDNN on')
  off = precision.describe_cpu(frozenset({'avx2'}), onednn=False)
  assert off.startswith('no CPU bfloat16 flags, oneDNN off')
  assert 'TF_ENABLE_ONEDNN_OPTS=1' in off


def test_a_checkpoint_alone_restores_every_weight(tmp_path):
  """tf.train.Checkpoint(model=...) must see the blocks (held in a list)."""
  config = configs.get_config('tiny')
  trainer = mle.MleTrainer(config, _VOCAB, str(tmp_path))
  trainer.train(tiny_models.dataset_fn(tiny_models.sequences(num=8), 8), 2)
  fresh = music_transformer.MusicTransformer.from_transformer_config(
      config.transformer, _VOCAB)
  tf.train.Checkpoint(model=fresh).restore(
      trainer.manager.latest_checkpoint).assert_existing_objects_matched()
  for a, b in zip(trainer.model.get_weights(), fresh.get_weights()):
    np.testing.assert_array_equal(a, b)


def test_only_the_transformer_trains_in_bfloat16():
  flags = frozenset({'avx512_bf16'})
  small = configs.get_config('small')
  assert precision.for_run(small) == precision.resolve('auto')
  for family in ('lstm', 'wavenet'):
    assert precision.for_run(configs.get_config('small', family)) == 'float32'
  assert precision.resolve(small.train.precision, flags=flags) == (
      'mixed_bfloat16')
