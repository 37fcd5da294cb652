"""Gumbel-softmax rollouts, adversarial losses and the adversarial trainer."""

import dataclasses
import json
import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import critic as critic_lib
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.training import adversarial
from genre_transformer_gan.training import adversarial_losses
from genre_transformer_gan.training import checkpointing
from genre_transformer_gan.training import gumbel
from genre_transformer_gan.training import mle
from tests import tiny_models

GENRES = tiny_models.GENRES
VOCAB = tiny_models.VOCAB
SEED = tf.constant([3, 4])


def _prompts():
  return np.array([[VOCAB.genre_token('folk'), 60, 300],
                   [VOCAB.genre_token('folk'), 70, 310]], np.int32)


def _genre_loss_gradients(generator, classifier, gradient='full',
                          cut_samples=False, feedback='soft'):
  with tf.GradientTape() as tape:
    out = gumbel.rollout(generator, _prompts(), 8, tf.constant(0.7), SEED,
                         feedback=feedback, gradient=gradient)
    samples = out['samples']
    if cut_samples:
      samples = tf.stop_gradient(samples)
    loss = tf.reduce_mean(adversarial_losses.genre_loss(
        classifier(samples, training=False), GENRES.index('folk')))
  return out, tape.gradient(
      loss, generator.trainable_variables + classifier.trainable_variables)


def _norm(gradient):
  return 0.0 if gradient is None else float(tf.norm(
      tf.convert_to_tensor(gradient)))


def test_genre_loss_gradient_reaches_the_generator_through_the_samples():
  generator = tiny_models.generator()
  classifier = genre_classifier.freeze(tiny_models.classifier())
  _, gradients = _genre_loss_gradients(generator, classifier)
  assert len(gradients) == len(generator.trainable_variables)  # none for C
  by_name = dict(zip([v.path for v in generator.trainable_variables],
                     gradients))
  embedding = by_name[generator.embedding.embeddings.path]
  assert _norm(embedding) > 0
  for kind in ('query', 'key', 'value', 'output'):
    # Keras numbers layer names per process (_1, _2, ...) by creation order.
    attention = [g for name, g in by_name.items() if re.search(
        rf'relative_multi_head_attention(_\d+)?/{kind}$', name)]
    assert attention and _norm(attention[0]) > 0, kind
  # Cut the samples and nothing flows: the path is through them.
  _, cut = _genre_loss_gradients(generator, classifier, cut_samples=True)
  assert all(_norm(g) == 0.0 for g in cut)


def test_full_and_parallel_rollouts_sample_the_same_tokens():
  generator = tiny_models.generator()
  classifier = genre_classifier.freeze(tiny_models.classifier())
  full, full_gradients = _genre_loss_gradients(generator, classifier, 'full')
  parallel, parallel_gradients = _genre_loss_gradients(generator, classifier,
                                                       'parallel')
  np.testing.assert_array_equal(full['tokens'], parallel['tokens'])
  np.testing.assert_allclose(full['samples'], parallel['samples'], atol=1e-5)
  # 'full' also differentiates through the fed-back samples.
  assert any(abs(_norm(a) - _norm(b)) > 1e-6 for a, b in
             zip(full_gradients, parallel_gradients))


def test_hard_feedback_plays_what_a_sampler_plays_and_still_trains():
  """RelGAN's feedback: the sampled token is fed back (Gumbel-max sampling
  with the same noise), the judges see the relaxed samples, and the genre
  loss still reaches the generator; 'full' equals 'parallel' up to float
  round-off of cached vs one-pass decoding (no gradient goes through a
  one-hot token)."""
  generator = tiny_models.generator()
  classifier = genre_classifier.freeze(tiny_models.classifier())
  full, full_gradients = _genre_loss_gradients(generator, classifier, 'full',
                                               feedback='hard')
  parallel, parallel_gradients = _genre_loss_gradients(
      generator, classifier, 'parallel', feedback='hard')
  noise = gumbel.gumbel_noise([2, 8, VOCAB.size], SEED).numpy()
  mask = gumbel.event_logit_mask(VOCAB.size).numpy()
  sequence = _prompts()
  for k in range(8):  # A plain sampler: forward pass, argmax(o + g).
    logits = generator(sequence, training=False)[:, -1].numpy() + mask
    sequence = np.concatenate(
        [sequence, np.argmax(logits + noise[:, k], -1)[:, None]], 1)
  np.testing.assert_array_equal(full['tokens'], sequence[:, 3:])
  np.testing.assert_array_equal(
      full['fed'], tf.one_hot(full['tokens'], VOCAB.size))
  assert float(tf.reduce_max(full['samples'])) < 1.0  # judges see y_t
  np.testing.assert_array_equal(full['tokens'], parallel['tokens'])
  assert _norm(full_gradients[0]) > 0
  for a, b in zip(full_gradients, parallel_gradients):
    np.testing.assert_allclose(_norm(a), _norm(b), rtol=5e-3, atol=1e-6)
  soft, _ = _genre_loss_gradients(generator, classifier, feedback='soft')
  assert float(tf.reduce_max(soft['fed'])) < 1.0  # soft feeds mixtures
  with pytest.raises(ValueError, match='soft, hard, straight_through'):
    gumbel.rollout(generator, _prompts(), 2, 1.0, SEED, feedback='gumbel')


def test_rollout_logits_match_a_forward_pass_and_only_events_are_sampled():
  generator = tiny_models.generator()
  out = gumbel.rollout(generator, _prompts(), 10, tf.constant(0.5), SEED,
                       feedback='straight_through')
  tokens = out['tokens'].numpy()
  assert ((tokens >= vocab.NUM_RESERVED) & (tokens < vocab.GENRE_OFFSET)).all()
  np.testing.assert_allclose(tf.reduce_max(out['samples'], -1), 1.0,
                             atol=1e-6)
  sequence = np.concatenate([_prompts(), tokens], 1)
  logits = generator(sequence[:, :-1])[:, 2:] + gumbel.event_logit_mask(
      VOCAB.size)
  np.testing.assert_allclose(logits, out['logits'], atol=1e-4)
  again = gumbel.rollout(generator, _prompts(), 10, tf.constant(0.5), SEED,
                         feedback='straight_through')
  np.testing.assert_array_equal(again['tokens'], tokens)


def test_temperature_schedules():
  values = [float(gumbel.temperature(n, 10, 1.0, 0.01, 'exp'))
            for n in (0, 5, 10, 20)]
  np.testing.assert_allclose(values, [1.0, 0.1, 0.01, 0.01], rtol=1e-5)
  assert float(gumbel.temperature(5, 10, 1.0, 0.0, 'linear')) == 0.5
  assert float(gumbel.temperature(7, 10, 0.3, 0.0, 'constant')) == (
      pytest.approx(0.3))
  with pytest.raises(ValueError, match='choose one of'):
    gumbel.temperature(0, 10, 1.0, 0.1, 'cosine')


def test_losses_follow_their_formulas():
  real, fake = tf.constant([2.0, 0.0]), tf.constant([1.0, 1.0])
  critic_loss, generator_loss = adversarial_losses.rsgan_losses(real, fake)
  np.testing.assert_allclose(critic_loss,
                             np.log1p(np.exp(np.array([-1.0, 1.0]))),
                             rtol=1e-6)
  np.testing.assert_allclose(generator_loss,
                             np.log1p(np.exp(np.array([1.0, -1.0]))),
                             rtol=1e-6)
  critic_loss, generator_loss = adversarial_losses.wgan_losses(real, fake)
  np.testing.assert_allclose(critic_loss, [-1.0, 1.0])
  np.testing.assert_allclose(generator_loss, [-1.0, -1.0])
  logits = tf.constant([[0.0, np.log(3.0)]])
  np.testing.assert_allclose(adversarial_losses.genre_loss(logits, 1),
                             [-np.log(0.75)], rtol=1e-6)
  same = tf.random.normal([2, 3, 5])
  np.testing.assert_allclose(adversarial_losses.kl_to_reference(same, same),
                             [0.0, 0.0], atol=1e-6)
  with pytest.raises(ValueError, match='rsgan, wgan_gp'):
    adversarial_losses.get_realism_losses('hinge')


def test_gradient_penalty_of_a_linear_critic():
  """D(x) = sum(w * x): the gradient norm is |w| everywhere."""
  weights = tf.fill([1, 4, 6], 0.25)  # |w| = sqrt(24) / 4

  def critic(x, training=False):
    del training
    return tf.reduce_sum(x * weights, axis=[1, 2])

  penalty = adversarial_losses.gradient_penalty(
      critic, tf.zeros([3, 4, 6]), tf.ones([3, 4, 6]), SEED)
  np.testing.assert_allclose(penalty, [(np.sqrt(24) / 4 - 1) ** 2] * 3,
                             rtol=1e-5)


@pytest.mark.parametrize('config_name', ['tiny', 'small'])
def test_gradient_penalty_of_the_real_critic_is_sane(config_name):
  """A fresh critic of the package's configs on one-hot and soft inputs.

  With the event mask's gradient flowing, the max-pool's 1e4 bias made this
  ~3e10; the critic's own input-space gradient norm is ~20-40 (L=64
  positions times V entries), so the penalty is O(100)-O(1000).
  """
  config = configs.get_config(config_name)
  critic = critic_lib.Critic.from_classifier_config(config.classifier,
                                                    VOCAB.size)
  rng = np.random.default_rng(0)
  real = tf.one_hot(rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                                 [8, 64]), VOCAB.size)
  events = np.full(VOCAB.size, -1e9, np.float32)
  events[vocab.NUM_RESERVED:vocab.GENRE_OFFSET] = 0.0
  fake = tf.nn.softmax(3.0 * tf.random.stateless_normal(
      [8, 64, VOCAB.size], [5, 6]) + events)
  penalty = adversarial_losses.gradient_penalty(critic, real, fake, SEED)
  assert np.all(np.isfinite(penalty))
  assert 1.0 < float(np.mean(penalty)) < 1e4, penalty


def test_critic_round_trips_and_scores_soft_inputs(tmp_path):
  critic = critic_lib.Critic(VOCAB.size, embedding_size=8, filters=8,
                             dilations=(1,))
  tokens = np.full([2, 5], 100, np.int32)
  assert critic(tokens).shape == (2,)
  np.testing.assert_allclose(critic(tf.one_hot(tokens, VOCAB.size)),
                             critic(tokens), atol=1e-5)
  clone = critic_lib.Critic.from_config(critic.get_config())
  assert clone.get_config() == critic.get_config()
  # Every weight (the blocks sit in lists) goes through tf.train.Checkpoint.
  path = tf.train.Checkpoint(model=critic).save(str(tmp_path / 'c'))
  tf.train.Checkpoint(model=clone).restore(path).assert_existing_objects_matched()
  for a, b in zip(critic.get_weights(), clone.get_weights()):
    np.testing.assert_array_equal(a, b)


def _tiny_trainer(tmp_path, **settings):
  """(config, model_dir, classifier_dir, trainer) for a tiny folk GAN stage."""
  config, model_dir, classifier_dir = tiny_models.gan_run(str(tmp_path),
                                                          **settings)
  trainer = adversarial.AdversarialTrainer(
      config, VOCAB, model_dir, classifier_dir, 'folk', total_steps=4)
  return config, model_dir, classifier_dir, trainer


@pytest.mark.eager
@pytest.mark.parametrize('realism_loss', ['rsgan', 'wgan_gp'])
def test_trainer_updates_generator_and_critic_never_the_classifier(
    tmp_path, monkeypatch, realism_loss):
  config, model_dir, classifier_dir, trainer = _tiny_trainer(
      tmp_path, realism_loss=realism_loss, kl_weight=0.1, checkpoint_every=2)
  frozen = [v.numpy().copy() for v in trainer.classifier.variables]
  generator = [v.numpy().copy() for v in trainer.generator.trainable_variables]
  critic = [v.numpy().copy() for v in trainer.critic.trainable_variables]
  with tiny_models.attached_iterators(monkeypatch) as attached:
    result = trainer.train(tiny_models.real_dataset(config, 2, 6), 2)
    assert len(attached) == 1 and attached[0]() is None  # As in MLE's test.
  assert result['step'] == 2 and trainer.step == 2
  for before, variable in zip(frozen, trainer.classifier.variables):
    np.testing.assert_array_equal(before, variable.numpy())
  assert any(not np.array_equal(b, v.numpy()) for b, v in
             zip(generator, trainer.generator.trainable_variables))
  assert any(not np.array_equal(b, v.numpy()) for b, v in
             zip(critic, trainer.critic.trainable_variables))
  assert result['kl'] > 0 and 0 < result['classifier_probability'] < 1

  # A new trainer resumes the step (and with it tau) from the checkpoint.
  resumed = adversarial.AdversarialTrainer(
      config, VOCAB, model_dir, classifier_dir, 'folk', total_steps=4)
  assert resumed.step == 2
  assert float(resumed.temperature(resumed.step)) == pytest.approx(
      float(trainer.temperature(2)))
  for a, b in zip(resumed.generator.trainable_variables,
                  trainer.generator.trainable_variables):
    np.testing.assert_array_equal(a.numpy(), b.numpy())
  assert resumed.train(tiny_models.real_dataset(config, 2, 6), 3)['step'] == 3


def test_rollouts_take_other_genres_primers_where_primed():
  genre = VOCAB.genre_token('folk')
  own = np.full([3, 2], 50, np.int32)
  other = np.full([3, 2], 60, np.int32)
  prompts = adversarial.rollout_prompts(genre, own, other,
                                        tf.constant([True, False, True]))
  np.testing.assert_array_equal(prompts, [[genre, 60, 60], [genre, 50, 50],
                                          [genre, 60, 60]])
  np.testing.assert_array_equal(
      adversarial.rollout_prompts(genre, own, None, tf.constant([True] * 3)),
      [[genre, 50, 50]] * 3)


@pytest.mark.eager
def test_other_genre_primers_train_and_need_a_primer(tmp_path):
  with pytest.raises(ValueError, match='primer_len > 0'):
    _tiny_trainer(tmp_path, other_genre_primers=0.5)
  config, _, _, trainer = _tiny_trainer(tmp_path / 'primed', primer_len=3,
                                        other_genre_primers=0.5)
  make = tiny_models.real_dataset(config, 2, 3 + 6)

  def with_primers(input_context=None):
    primers = tf.data.Dataset.from_tensor_slices(np.full(
        [64, 2, 3], vocab.NOTE_ON_OFFSET + 60, np.int32))
    return tf.data.Dataset.zip(make(input_context), primers).map(
        lambda parts, primer: (*parts, primer))

  assert trainer.train(with_primers, 2)['step'] == 2


@pytest.mark.eager
def test_term_gradient_norms_change_nothing_but_the_log(tmp_path):
  """One backward pass per term sums to the same update, and logs each
  term's gradient norm."""
  runs = {}
  for on in (False, True):
    (tmp_path / str(on)).mkdir()
    config, _, _, trainer = _tiny_trainer(
        tmp_path / str(on), kl_weight=0.1, term_gradient_norms=on)
    metrics = trainer.train(tiny_models.real_dataset(config, 2, 6), 1)
    runs[on] = metrics, [v.numpy() for v in
                         trainer.generator.trainable_variables]
  for plain, by_term in zip(runs[False][1], runs[True][1]):
    np.testing.assert_allclose(plain, by_term, rtol=1e-4, atol=1e-6)
  metrics = runs[True][0]
  assert not any(k.startswith('gradient_norm') for k in runs[False][0])
  assert metrics['gradient_norm_mle'] > 0
  assert metrics['gradient_norm_realism'] > 0
  assert metrics['gradient_norm_genre'] > 0


@pytest.mark.slow
@pytest.mark.eager
def test_resumed_adversarial_run_continues_the_data(tmp_path, monkeypatch):
  """Stopped at step 2 and resumed == 4 steps straight (64 distinct batches,
  the critic's dropout masks included)."""
  def run(directory, stop):
    config, model_dir, classifier_dir, trainer = _tiny_trainer(
        directory, checkpoint_every=1)
    trainer.train(tiny_models.real_dataset(config, 2, 6), stop)
    trainer = adversarial.AdversarialTrainer(
        config, VOCAB, model_dir, classifier_dir, 'folk', total_steps=4)
    trainer.train(tiny_models.real_dataset(config, 2, 6), 4)
    return [v.numpy() for v in trainer.generator.trainable_variables +
            trainer.critic.trainable_variables]

  keras.utils.set_random_seed(0)
  straight = run(tmp_path / 'straight', 4)
  keras.utils.set_random_seed(0)
  resumed = run(tmp_path / 'resumed', 2)
  for a, b in zip(straight, resumed):
    np.testing.assert_allclose(a, b, atol=1e-6)
  # The control: restarting the data stream at the resume changes them.
  monkeypatch.setattr(checkpointing, 'attach_input', lambda ckpt, it: it)
  keras.utils.set_random_seed(0)
  replayed = run(tmp_path / 'replayed', 2)
  assert max(np.abs(a - b).max() for a, b in zip(straight, replayed)) > 1e-5


def test_trainer_needs_a_pretrained_generator_and_a_matching_classifier(
    tmp_path):
  config = configs.get_config('tiny')
  classifier_dir = str(tmp_path / 'classifier')
  classifier_io.save_classifier(tiny_models.classifier(), classifier_dir, {})
  with pytest.raises(FileNotFoundError, match='--phase=mle'):
    adversarial.AdversarialTrainer(config, VOCAB, str(tmp_path / 'empty'),
                                   classifier_dir, 'folk', 4)
  with pytest.raises(ValueError, match='genre_classifier_train'):
    adversarial.AdversarialTrainer(config, vocab.Vocabulary(['a', 'b']),
                                   str(tmp_path), classifier_dir, 'a', 4)
  with open(os.path.join(classifier_dir, 'classifier.json')) as f:
    assert json.load(f)['genres'] == list(GENRES)


def test_a_partial_generator_restore_is_an_error(tmp_path):
  """An MLE checkpoint lacking some generator weights is refused."""
  config = configs.get_config('tiny')
  model_dir = str(tmp_path / 'run')
  mle.MleTrainer(config, VOCAB.size, model_dir).manager.save(0)
  classifier_dir = str(tmp_path / 'classifier')
  classifier_io.save_classifier(tiny_models.classifier(), classifier_dir, {})
  deeper = dataclasses.replace(config, transformer=dataclasses.replace(
      config.transformer, num_layers=config.transformer.num_layers + 1))
  with pytest.raises(ValueError, match='does not hold every weight'):
    adversarial.AdversarialTrainer(deeper, VOCAB, model_dir, classifier_dir,
                                   'folk', 4)


@pytest.mark.eager
def test_non_finite_loss_stops_without_saving(tmp_path):
  config, model_dir, classifier_dir, trainer = _tiny_trainer(
      tmp_path, checkpoint_every=1)
  trainer.train(tiny_models.real_dataset(config, 2, 6), 1)
  good = [v.numpy().copy() for v in trainer.generator.trainable_variables]
  weights = trainer.generator.trainable_variables[0]
  weights.assign(tf.fill(weights.shape, float('nan')))
  with pytest.raises(FloatingPointError, match='re-run the same command'):
    trainer.train(tiny_models.real_dataset(config, 2, 6), 3)
  assert trainer.manager.latest_checkpoint.endswith('ckpt-1')
  resumed = adversarial.AdversarialTrainer(
      config, VOCAB, model_dir, classifier_dir, 'folk', total_steps=4)
  assert resumed.step == 1
  for before, variable in zip(good, resumed.generator.trainable_variables):
    np.testing.assert_array_equal(before, variable.numpy())
