"""The traced steps equal the eager ones.

Tests marked `eager` run tf.functions eagerly (tests/conftest.py): for a
tiny model, tracing costs more than the few steps it speeds up. The
commands trace. These tests hold the traced MLE step, GAN-stage step and
sampler to their eager runs, so what the eager tests show holds for the
traced code too (every random draw is stateless, so both draw alike).
"""

import shutil

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.training import adversarial
from genre_transformer_gan.training import mle
from tests import tiny_models


def _assert_same_weights(a, b):
  for x, y in zip(a, b):
    np.testing.assert_allclose(x, y, atol=2e-5)


def test_the_traced_mle_step_equals_the_eager_one(tmp_path):
  config = configs.get_config('tiny')
  data = tiny_models.sequences(num=8)
  traced = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, str(tmp_path / 'g'))
  eager = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, str(tmp_path / 'e'))
  eager.model.set_weights(traced.model.get_weights())
  traced_losses = tiny_models.losses(traced, data, 2)
  tf.config.run_functions_eagerly(True)
  eager_losses = tiny_models.losses(eager, data, 2)
  np.testing.assert_allclose(traced_losses, eager_losses, rtol=1e-5)
  _assert_same_weights(traced.model.get_weights(), eager.model.get_weights())


def test_the_traced_gan_stage_step_equals_the_eager_one(tmp_path):
  config, _, _ = tiny_models.gan_run(str(tmp_path / 'g'), kl_weight=0.1)
  shutil.copytree(tmp_path / 'g', tmp_path / 'e')

  def train(folder):
    trainer = adversarial.AdversarialTrainer(
        config, tiny_models.VOCAB, str(folder / 'run'),
        str(folder / 'classifier'), 'folk', total_steps=4)
    result = trainer.train(tiny_models.real_dataset(config, 2, 6), 2)
    return result, trainer
  traced, traced_trainer = train(tmp_path / 'g')
  tf.config.run_functions_eagerly(True)
  eager, eager_trainer = train(tmp_path / 'e')
  for key in ('kl', 'classifier_probability'):
    assert traced[key] == pytest.approx(eager[key], rel=1e-3, abs=1e-7), key
  _assert_same_weights(traced_trainer.generator.get_weights(),
                       eager_trainer.generator.get_weights())
  _assert_same_weights(traced_trainer.critic.get_weights(),
                       eager_trainer.critic.get_weights())


def test_the_traced_sampler_draws_what_the_eager_one_draws():
  model = tiny_models.generator(seed=3)
  prompts = np.array([[tiny_models.VOCAB.genre_token('folk')]] * 3, np.int32)
  traced = sampling.Sampler(model, temperature=0.9, top_p=0.95).generate(
      prompts, 20, seed=5)
  tf.config.run_functions_eagerly(True)
  eager = sampling.Sampler(model, temperature=0.9, top_p=0.95).generate(
      prompts, 20, seed=5)
  np.testing.assert_array_equal(traced, eager)
