"""Everything a TPU must compile compiles with XLA, and computes the same.

Each step runs on the `tiny` config on the CPU twice, compiled by XLA and
eagerly (TensorFlow's kernels, as a traced step: test_graph_equals_eager.py;
a tiny model's few eager steps cost less than tracing them), from the same
weights. Dropout is off: XLA's random ops draw
other numbers than TensorFlow's kernels from the same seed (so the GAN step
draws its noise outside its XLA cluster), and Keras draws dropout masks
inside the model. For the same reason the sampler is compared greedily
(top_k=1); with sampling it is checked to be reproducible under XLA.
"""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.training import adversarial
from genre_transformer_gan.training import mle
from tests import tiny_models

# The slow tier: every step compiled by XLA and compared.
pytestmark = pytest.mark.slow


def _config(jit_compile, **adversarial_settings):
  config = configs.without_dropout(configs.get_config('tiny'))
  return dataclasses.replace(
      config,
      train=dataclasses.replace(config.train, jit_compile=jit_compile,
                                precision='float32'),
      adversarial=dataclasses.replace(
          config.adversarial, sample_len=6, batch_size=2, mle_batch_size=2,
          **adversarial_settings))


def test_mle_step_compiles_and_matches(tmp_path):
  data = tiny_models.sequences()
  plain = mle.MleTrainer(_config(False), tiny_models.VOCAB_SIZE, str(tmp_path / 'a'))
  xla = mle.MleTrainer(_config(True), tiny_models.VOCAB_SIZE, str(tmp_path / 'b'))
  xla.model.set_weights(plain.model.get_weights())
  eval_data = tf.data.Dataset.from_tensor_slices(data).batch(8)
  compiled = tiny_models.losses(xla, data, 4)
  compiled_nll = xla.evaluate(eval_data)
  tf.config.run_functions_eagerly(True)  # The plain arm (conftest resets).
  expected = tiny_models.losses(plain, data, 4)
  np.testing.assert_allclose(compiled, expected, rtol=1e-4)
  assert len(set(expected)) == 4
  for a, b in zip(plain.model.get_weights(), xla.model.get_weights()):
    np.testing.assert_allclose(a, b, atol=1e-4)
  assert compiled_nll == pytest.approx(plain.evaluate(eval_data), rel=1e-4)


@pytest.mark.parametrize('settings', [
    # Two compiled steps cover the stage's switches between them: the full
    # and the parallel rollout gradient, hard and soft feedback, both critic
    # losses, the KL term.
    dict(realism_loss='rsgan', rollout_gradient='full', realism_weight=1.0,
         feedback='hard'),
    dict(realism_loss='wgan_gp', rollout_gradient='parallel',
         realism_weight=1.0, kl_weight=0.1),
], ids=['rsgan-full-hard', 'wgan_gp-parallel-kl-soft'])
def test_adversarial_step_compiles_and_matches(tmp_path, settings):
  runs = {}
  for jit_compile in (True, False):  # The plain arm last, eagerly.
    tf.config.run_functions_eagerly(not jit_compile)  # (conftest resets)
    directory = tmp_path / str(jit_compile)
    config = _config(jit_compile, **settings)
    model_dir = str(directory / 'run')
    keras.utils.set_random_seed(0)
    mle.MleTrainer(config, tiny_models.VOCAB.size, model_dir).manager.save(0)
    classifier_dir = str(directory / 'classifier')
    classifier_io.save_classifier(tiny_models.classifier(),
                                  classifier_dir, {})
    keras.utils.set_random_seed(0)
    trainer = adversarial.AdversarialTrainer(
        config, tiny_models.VOCAB, model_dir, classifier_dir, 'folk',
        total_steps=3)
    start = trainer.generator.get_weights()
    result = trainer.train(tiny_models.real_dataset(config, 2, 6), 3)
    runs[jit_compile] = (result, trainer.generator.get_weights())
  (plain, plain_weights), (xla, xla_weights) = runs[False], runs[True]
  # The same tokens and MLE term; what the judges make of the soft samples
  # differs by XLA's convolution round-off (2e-5 relative on a critic
  # score), which the 1/tau of the soft samples lifts to ~1e-3 by step 3.
  for name, rel in (('mle_nll', 1e-5), ('hard_probability', 1e-5),
                    ('generator_loss', 2e-3), ('critic_loss', 2e-3),
                    ('genre_loss', 2e-3), ('kl', 2e-3)):
    assert xla[name] == pytest.approx(plain[name], rel=rel, abs=1e-6), name
  assert plain['critic_loss'] != 0
  # Both took the same steps: they differ by a small part of how far the
  # weights moved (Adam's first steps are lr * g / |g|, so round-off in a
  # near-zero gradient still moves a weight by up to lr).
  def norm(arrays):
    return np.sqrt(sum(np.sum(np.square(a)) for a in arrays))
  moved = norm([w - w0 for w, w0 in zip(plain_weights, start)])
  apart = norm([a - b for a, b in zip(plain_weights, xla_weights)])
  assert moved > 0 and apart < 0.1 * moved, (apart, moved)


def test_classifier_step_compiles_and_matches():
  rng = np.random.default_rng(0)
  x = rng.integers(2, 300, [32, 24]).astype(np.int32)
  y = rng.integers(0, 3, [32]).astype(np.int32)
  histories = []
  for jit_compile in (False, True):
    keras.utils.set_random_seed(1)
    classifier = genre_classifier.GenreClassifier(
        tiny_models.VOCAB.size, tiny_models.GENRES,
        embedding_size=16, filters=16, dilations=(1, 2), dropout=0.0,
        vocabulary_genres=tiny_models.GENRES)
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile)
    assert classifier.jit_compile == jit_compile
    histories.append(classifier.fit(x, y, batch_size=8, epochs=2,
                                    shuffle=False, verbose=0).history['loss'])
  np.testing.assert_allclose(histories[1], histories[0], rtol=1e-4)
  assert histories[0][1] < histories[0][0]


def test_sampler_compiles_and_samples_the_same_tokens():
  model = tiny_models.generator()
  prompts = np.array([[tiny_models.VOCAB.genre_token('folk'), 60, 300],
                      [tiny_models.VOCAB.genre_token('early'), 70, 310]],
                     np.int32)
  greedy = [sampling.Sampler(model, top_k=1, jit_compile=jit_compile)
            .generate(prompts, 40, seed=3) for jit_compile in (False, True)]
  np.testing.assert_array_equal(greedy[1], greedy[0])
  # Past the training length (32): the window slides, the cache refills.
  longer = [sampling.Sampler(model, top_k=1, jit_compile=jit_compile)
            .generate(prompts, 50) for jit_compile in (False, True)]
  np.testing.assert_array_equal(longer[1], longer[0])
  xla = sampling.Sampler(model, temperature=0.9, top_p=0.95, jit_compile=True)
  sampled = xla.generate(prompts, 40, seed=3)
  np.testing.assert_array_equal(xla.generate(prompts, 40, seed=3), sampled)
  assert len(np.unique(sampled[:, 3:])) > 10  # Really sampled.
