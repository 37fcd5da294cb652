"""The K+1 adversary: the genre classifier with a class for 'generated'."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import negatives
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import classifier as classifier_lib
from genre_transformer_gan.training import generated_class
from genre_transformer_gan.training import adversaries
from genre_transformer_gan.training import run_lib
from tests import tiny_models


def test_widen_keeps_the_genre_logits_and_adds_a_zero_one():
  base = tiny_models.classifier(seed=5)
  settings = configs.get_config('tiny').classifier
  settings = dataclasses.replace(settings, embedding_size=16, filters=16,
                                 dilations=(1, 2))
  wider = generated_class.widen(base, settings)
  assert wider.genres == base.genres + ('generated',)
  tokens = np.random.default_rng(0).integers(
      vocab.NUM_RESERVED, vocab.GENRE_OFFSET, [3, 40]).astype(np.int32)
  np.testing.assert_allclose(np.array(wider(tokens))[:, :-1],
                             np.array(base(tokens)), atol=1e-5)
  np.testing.assert_array_equal(np.array(wider(tokens))[:, -1], 0.0)


@pytest.fixture(scope='module')
def run_dir(folders_builder, tmp_path_factory):
  """A tiny MLE run and a genre classifier of the folder dataset."""
  config = configs.get_config('tiny')
  builder = folders_builder
  vocabulary = datasets.get_vocabulary(builder)
  model_dir = str(tmp_path_factory.mktemp('runs') / 'tiny')
  run_lib.check_model_dir(model_dir, 'tiny', vocabulary.genres)
  run_lib.run_mle(config, builder, vocabulary, model_dir, 3,
                  tf.distribute.get_strategy(), eval_batches=1)
  classifier_path = adversaries.default_classifier_dir(model_dir, builder, config)
  classifier_lib.train_classifier(config, builder, vocabulary.genres,
                                  classifier_path, steps=20)
  return model_dir, classifier_path


def test_the_generated_class_learns_the_generators_samples(
    run_dir, folders_builder, monkeypatch):
  """Samples come from the run's generator (the evaluator's negatives are
  never used); held-out samples are called generated more often than real
  music; the result loads frozen and passes gradients to soft inputs."""
  def refuse(*args, **kwargs):
    raise AssertionError('the adversary must not use the judge\'s negatives')
  monkeypatch.setattr(negatives, 'make', refuse)
  monkeypatch.setattr(evaluator_lib, 'training_negatives', refuse)
  model_dir, classifier_path = run_dir
  config = configs.get_config('tiny')
  config = dataclasses.replace(config, adversarial=dataclasses.replace(
      config.adversarial, generated_class=True, generated_samples=32,
      generated_steps=60))
  vocabulary = datasets.get_vocabulary(folders_builder)
  lines = []
  path = adversaries.get_generated_classifier_path(
      config, folders_builder, vocabulary, model_dir, classifier_path,
      log=lines.append)
  assert path == run_layout.generated_classifier_dir(model_dir)
  assert 'Adding the class "generated"' in lines[0]
  info = classifier_io.read_info(path)['generated_class']
  assert info['samples'] == 32 and info['held_out_samples'] == 8
  longest = info["by_crop_length"][str(max(
      config.classifier.eval_crop_lengths))]
  assert longest['generated_called_generated'] > (
      longest['real_called_generated'] + 0.3)
  adversary = classifier_io.load_classifier(path, vocabulary.genres,
                                            ['folk'])
  assert adversary.genres == vocabulary.genres + ('generated',)
  assert not adversary.trainable_variables
  soft = tf.Variable(tf.one_hot(np.full([2, 20], vocab.NUM_RESERVED + 60),
                                vocabulary.size))
  with tf.GradientTape() as tape:
    log_p = tf.nn.log_softmax(adversary(soft))[:, adversary.genres.index(
        'folk')]
  gradient = tape.gradient(log_p, soft)
  assert gradient is not None and float(tf.reduce_max(tf.abs(gradient))) > 0
  # Made once: a second call (a resumed run) finds it.
  again = adversaries.get_generated_classifier_path(
      config, folders_builder, vocabulary, model_dir, classifier_path,
      log=lines.append)
  assert again == path and len(lines) == 1 + len(config.classifier
                                                 .eval_crop_lengths)


def test_generator_samples_take_the_genres_in_turn():
  model = tiny_models.generator()
  config = configs.get_config('tiny')
  samples = generated_class.generator_samples(
      model, tiny_models.VOCAB, ('folk', 'early'), 5, 12, config.sampling,
      batch_size=2)
  assert samples.shape == (5, 12)
  assert ((samples >= vocab.NUM_RESERVED) &
          (samples < vocab.GENRE_OFFSET)).all()


def test_a_classifier_with_the_class_already_is_refused(run_dir,
                                                        folders_builder,
                                                        tmp_path):
  _, classifier_path = run_dir
  config = configs.get_config('tiny')
  vocabulary = datasets.get_vocabulary(folders_builder)
  wider = generated_class.widen(
      classifier_io.load_classifier(classifier_path, vocabulary.genres,
                                    freeze=False), config.classifier)
  classifier_io.save_classifier(wider, str(tmp_path / 'wide'), {})
  with pytest.raises(ValueError, match='already has the class generated'):
    generated_class.add_generated_class(
        config, folders_builder, str(tmp_path / 'wide'),
        np.zeros([4, 8], np.int32) + 60, str(tmp_path / 'x'))
