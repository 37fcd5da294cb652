"""Adversarial fine-tuning of the generator against the FROZEN genre classifier.

Each step (one compiled function, under any tf.distribute strategy):
  1. the generator continues [genre token c] (+ a real primer: of genre c,
     or for a share other_genre_primers of the rows, of another genre) by K
     free-running Gumbel-softmax steps through its cached decoding
     (gumbel.rollout; tau on gumbel.temperature's schedule);
  2. generator loss, per global batch:
       w_genre   * genre_loss(C(x_g), c)          frozen classifier C
     + w_realism * L_G(D(x_r), D(x_g))             trainable critic D
     + w_mle     * NLL of real sequences of genre c (the regulariser)
     + w_kl      * KL(p_theta || p_0)              optional
  3. critic loss L_D(D(x_r), D(x_g)) (+ WGAN-GP's penalty);
  4. both updated with clipped gradients (optimization.py). C is frozen: it
     has no trainable variables and is in no optimizer.

Checkpoints (generator, critic, both optimizers, the input iterator's
position; the step is the generator optimizer's iteration count and tau is
a function of it, so a resumed run continues the schedule and the data
exactly) go to model_dir/adversarial_<genre>/checkpoints;
the run starts from the latest MLE checkpoint in model_dir/checkpoints.
"""

from typing import Callable, Optional

from absl import logging
import keras
import tensorflow as tf

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import checkpoint_files
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import critic as critic_lib
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import losses
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import adversarial_losses
from genre_transformer_gan.training import checkpointing
from genre_transformer_gan.training import cluster
from genre_transformer_gan.training import gumbel
from genre_transformer_gan.training import loop
from genre_transformer_gan.training import optimization

METRICS = ('generator_loss', 'genre_loss', 'realism_loss', 'mle_nll',
           'kl', 'critic_loss', 'classifier_probability', 'hard_probability',
           'real_score', 'fake_score')


def rollout_prompts(genre_token: int, primer, other, primed):
  """int32 [b, 1 + P]: the genre token, then each row's primer.

  Args:
    primer: int32 [b, P] events of the target genre.
    other: int32 [b, P] events of other genres, or None.
    primed: bool [b]: the rows that take `other`'s primer.
  """
  if other is not None:
    primer = tf.where(primed[:, None], other, primer)
  return tf.concat([tf.fill([tf.shape(primer)[0], 1], genre_token), primer],
                   axis=1)


def _gradients_by_term(tape, terms: dict, variables):
  """(gradients of the sum of terms, {'gradient_norm_<term>': norm}).

  One backward pass per term (weight-0 terms are skipped); their sum is the
  sum's gradient. Norms are this replica's share (one process: the run's),
  before clipping.
  """
  total = [None] * len(variables)
  norms = {}
  for name, term in terms.items():
    gradients = tape.gradient(term, variables)
    present = [g for g in gradients if g is not None]
    norms[f'gradient_norm_{name}'] = (tf.linalg.global_norm(present)
                                      if present else tf.constant(0.0))
    total = [g if t is None else (t if g is None else t + g)
             for t, g in zip(total, gradients)]
  return total, norms


class AdversarialTrainer:
  """Gumbel-softmax GAN stage for one target genre.

  Args:
    config: a configs.Config (its `adversarial`, `classifier` parts and the
      `generator` family).
    vocabulary: the generator's data.vocabulary.Vocabulary.
    model_dir: holds the MLE checkpoints the stage starts from.
    directory: adversarial checkpoints and TensorBoard events (default
      model_dir/adversarial_<genre>).
    classifier_path: the frozen classifier (genre_classifier_train output).
    genre: the target genre.
    total_steps: N, the length of the temperature schedule.
    strategy: a tf.distribute strategy (default: the current one).
    seed: the critic's initialisation, Gumbel noise and WGAN-GP
      interpolation.
  """

  def __init__(self, config, vocabulary, model_dir: str,
               classifier_path: str, genre: str, total_steps: int,
               strategy: Optional[tf.distribute.Strategy] = None,
               seed: int = 0, directory: Optional[str] = None):
    keras.utils.set_random_seed(seed)
    self.config = config
    self.settings = settings = config.adversarial
    adversarial_losses.get_realism_losses(settings.realism_loss)
    gumbel.temperature(0, 1, 1.0, 1.0, settings.temperature_schedule)
    gumbel.check_feedback(settings.feedback)
    if not 0 <= settings.other_genre_primers <= 1 or (
        settings.other_genre_primers and not settings.primer_len):
      raise ValueError('other_genre_primers is a share in [0, 1] of the '
                       'rollouts, and needs primer_len > 0; not '
                       f'{settings.other_genre_primers} with primer_len '
                       f'{settings.primer_len}.')
    if min(settings.initial_temperature, settings.final_temperature) <= 0:
      raise ValueError('Gumbel-softmax temperatures must be > 0, not '
                       f'{settings.initial_temperature} -> '
                       f'{settings.final_temperature}.')
    self.total_steps = total_steps
    self.seed = seed
    self.genre_token = vocabulary.genre_token(genre)
    self.directory = directory or run_layout.adversarial_dir(model_dir, genre)
    self.strategy = strategy or tf.distribute.get_strategy()
    with self.strategy.scope():
      self.classifier = classifier_io.load_classifier(
          classifier_path, vocabulary.genres, [genre])
      self.target_class = vocab.Vocabulary(
          self.classifier.genres).genre_id(genre)
      self.generator = generators.build(config, vocabulary.size)
      self.critic = critic_lib.Critic.from_classifier_config(
          config.classifier, vocabulary.size)
      self.reference = None
      if settings.kl_weight:
        self.reference = generators.build(config, vocabulary.size)
        self.reference.trainable = False
      self.generator_optimizer = keras.optimizers.Adam(settings.learning_rate)
      self.critic_optimizer = keras.optimizers.Adam(
          settings.critic_learning_rate)
      self.generator_optimizer.build(self.generator.trainable_variables)
      self.critic_optimizer.build(self.critic.trainable_variables)
    self.checkpoint = tf.train.Checkpoint(
        generator=self.generator, critic=self.critic,
        generator_optimizer=self.generator_optimizer,
        critic_optimizer=self.critic_optimizer,
        seed_states=checkpointing.seed_states(self.generator, self.critic))
    self.manager = cluster.checkpoint_manager(
        self.checkpoint, run_layout.checkpoints_dir(self.directory),
        self.strategy, max_to_keep=config.train.keep_checkpoints)
    self.pretrained = checkpoint_files.latest(
        run_layout.checkpoints_dir(model_dir))
    if self.manager.latest_checkpoint:
      resume = (checkpoint_files.fallback(self.manager.latest_checkpoint,
                                          logging.warning) or
                self.manager.latest_checkpoint)
      self.checkpoint.restore(resume)
      logging.info('Resumed the adversarial stage from %s at step %d.',
                   resume, self.step)
    elif self.pretrained:
      generator_io.restore_weights(self.generator, self.pretrained)
      logging.info('Adversarial stage starts from %s.', self.pretrained)
    else:
      raise FileNotFoundError(
          f'No MLE checkpoint in {model_dir}/checkpoints to fine-tune; run '
          '`genre_gan_train --phase=mle` (or --phase=all) first.')
    if self.reference is not None:
      generator_io.restore_weights(self.reference, self.pretrained)
    if config.train.jit_compile:  # Each replica's step is one XLA cluster.
      self._replica_step = tf.function(self._replica_step, jit_compile=True)
    self._train_step = tf.function(self._distributed_step)

  @property
  def step(self) -> int:
    return int(self.generator_optimizer.iterations.numpy())

  def temperature(self, step):
    s = self.settings
    return gumbel.temperature(step, self.total_steps, s.initial_temperature,
                              s.final_temperature, s.temperature_schedule)

  def _replica_step(self, real, mle_batch, noise, epsilon, primed,
                    other=None):
    """One replica's step.

    Args:
      real: int32 [b, P + K] events of the genre.
      mle_batch: int32 [b', L].
      noise: float32 [G, K, V] Gumbel noise of the global batch (G rows).
      epsilon: float32 [G, 1, 1] WGAN-GP mixing weights of the global batch.
      primed: bool [G]: the rows whose primer is `other`'s.
      other: int32 [b, P] events of other genres, or None.

    Returns:
      {metric name: this replica's share of the global mean}.
    """
    s = self.settings
    context = tf.distribute.get_replica_context()
    batch = tf.shape(real)[0]
    global_batch = tf.cast(context.all_reduce(tf.distribute.ReduceOp.SUM,
                                              batch), tf.float32)
    # This replica's rows of the global batch get that batch's noise, so N
    # replicas draw what one process draws (pipeline.replica_slices gives
    # them the same rows of data).
    first = context.replica_id_in_sync_group * batch
    noise = noise[first:first + batch]
    epsilon = epsilon[first:first + batch]
    tau = self.temperature(self.generator_optimizer.iterations)
    prompts = rollout_prompts(self.genre_token, real[:, :s.primer_len],
                              other, primed[first:first + batch])
    real_continuation = tf.one_hot(real[:, s.primer_len:],
                                   self.generator.vocab_size)
    realism = adversarial_losses.get_realism_losses(s.realism_loss)
    with tf.GradientTape(persistent=s.term_gradient_norms) as generator_tape, \
        tf.GradientTape() as critic_tape:
      rollout = gumbel.rollout(
          self.generator, prompts, s.sample_len, tau, None,
          s.feedback, s.rollout_gradient, noise=noise)
      fake = rollout['samples']
      classifier_logits = self.classifier(fake, training=False)
      genre = adversarial_losses.genre_loss(classifier_logits,
                                            self.target_class)
      real_scores = self.critic(real_continuation, training=True)
      fake_scores = self.critic(fake, training=True)
      critic_losses, realism_losses = realism(real_scores, fake_scores)
      mle_nll = self._mle_term(mle_batch, context)
      kl = self._kl_term(prompts, rollout)
      terms = {'genre': s.genre_weight * tf.reduce_sum(genre),
               'realism': s.realism_weight * tf.reduce_sum(realism_losses),
               'kl': s.kl_weight * tf.reduce_sum(kl)}
      terms = {name: term / global_batch for name, term in terms.items()}
      terms['mle'] = s.mle_weight * mle_nll
      generator_loss = tf.add_n(list(terms.values()))
      critic_loss = tf.reduce_sum(critic_losses) / global_batch
      if s.realism_loss == 'wgan_gp':
        critic_loss += s.gradient_penalty * tf.reduce_sum(
            adversarial_losses.gradient_penalty(
                self.critic, real_continuation, fake, None, epsilon)
        ) / global_batch
    generator_variables = self.generator.trainable_variables
    critic_variables = self.critic.trainable_variables
    gradient_norms = {}
    if s.term_gradient_norms:
      gradients, gradient_norms = _gradients_by_term(
          generator_tape, terms, generator_variables)
    else:
      gradients = generator_tape.gradient(generator_loss, generator_variables)
    optimization.apply_clipped_gradients(
        self.generator_optimizer, gradients, generator_variables,
        s.clip_norm)
    optimization.apply_clipped_gradients(
        self.critic_optimizer,
        critic_tape.gradient(critic_loss, critic_variables),
        critic_variables, s.clip_norm)
    probability = tf.nn.softmax(classifier_logits)[:, self.target_class]
    # What a sampler would play: the rollout's tokens, judged as tokens.
    hard_probability = tf.nn.softmax(self.classifier(
        rollout['tokens'], training=False))[:, self.target_class]

    def batch_sum(values):
      return tf.reduce_sum(values) / global_batch

    return {'generator_loss': generator_loss, 'genre_loss': batch_sum(genre),
            'realism_loss': batch_sum(realism_losses),
            'mle_nll': mle_nll, 'kl': batch_sum(kl),
            'critic_loss': critic_loss,
            'classifier_probability': batch_sum(probability),
            'hard_probability': batch_sum(hard_probability),
            'real_score': batch_sum(real_scores),
            'fake_score': batch_sum(fake_scores), **gradient_norms}

  def _mle_term(self, mle_batch, context):
    """The MLE regulariser: this replica's share of the global mean NLL of
    real sequences [b', L] of the genre (a float32 scalar)."""
    nll_sum, count = losses.next_token_nll(self.generator, mle_batch,
                                           training=True)
    global_count = context.all_reduce(tf.distribute.ReduceOp.SUM, count)
    return nll_sum / tf.maximum(global_count, 1.0)

  def _kl_term(self, prompts, rollout):
    """KL(p_theta || p_0) per rollout, float32 [b]; zeros without a
    reference. prompts: int [b, 1 + P]; rollout: gumbel.rollout's dict."""
    if self.reference is None:
      return tf.zeros([tf.shape(prompts)[0]])
    vocab_size = self.generator.vocab_size
    reference_logits = self.reference(
        tf.concat([tf.one_hot(prompts, vocab_size),
                   tf.stop_gradient(rollout['fed'][:, :-1])], 1),
        training=False)[:, -self.settings.sample_len:] + (
            gumbel.event_logit_mask(vocab_size))
    return adversarial_losses.kl_to_reference(rollout['logits'],
                                              reference_logits)

  def _distributed_step(self, iterator, seed):
    real, mle_batch, *other = next(iterator)
    # The step's randomness is drawn here, outside the replicas' (XLA)
    # steps: XLA's random ops draw other numbers than TensorFlow's kernels.
    s = self.settings
    noise_seed, penalty_seed = tf.unstack(
        tf.random.experimental.stateless_split(seed, 2))
    noise = gumbel.gumbel_noise(
        [s.batch_size, s.sample_len, self.generator.vocab_size], noise_seed)
    epsilon = tf.random.stateless_uniform([s.batch_size, 1, 1], penalty_seed)
    primed = tf.zeros([s.batch_size], tf.bool)
    if s.other_genre_primers:
      primed = tf.random.stateless_uniform(
          [s.batch_size], tf.random.experimental.stateless_fold_in(seed, 1)
      ) < s.other_genre_primers
    metrics = self.strategy.run(
        self._replica_step,
        args=(real, mle_batch, noise, epsilon, primed, *other))
    return {name: self.strategy.reduce(tf.distribute.ReduceOp.SUM, value,
                                       axis=None)
            for name, value in metrics.items()}

  def train(self, dataset_fn: Callable, target_step: int,
            evaluate: Optional[Callable] = None,
            should_stop: Optional[Callable[[int], bool]] = None) -> dict:
    """Trains until the adversarial step is target_step (or should_stop).

    Args:
      dataset_fn: input_context -> dataset of (real [b, P + K] events of
        the genre, MLE batch [b', L][, other genres' primers [b, P]]) per
        replica, the replicas' b adding up to settings.batch_size (the
        rows the step draws noise for); the primers when
        other_genre_primers > 0.
      target_step: the step to reach (a resumed run continues to it).
      evaluate: optional fn(trainer, step, writer) -> dict, called every
        eval_every steps and at the end (e.g. samples, fidelity, diversity).
      should_stop: called with the step after every step; True ends the
        run there as if it were target_step (the temperature schedule keeps
        the length given to the constructor).

    Returns:
      {'step', metrics of the last step..., 'evaluation': last evaluate()}.

    Raises:
      FloatingPointError: a non-finite loss; the last checkpoint is kept.
    """
    s = self.settings
    writer = cluster.summary_writer(self.directory, self.strategy)
    if not cluster.is_chief(self.strategy):
      evaluate = None  # Samples and reports are the chief's to write.
    result = {'step': self.step, 'evaluation': None}

    def train_step():
      seed = tf.constant([self.seed, self.step], tf.int32)
      return {k: float(v) for k, v in self._train_step(iterator,
                                                       seed).items()}

    def on_log(step, target_step, metrics, progress):
      tau = float(self.temperature(step - 1))
      logging.info(
          'adversarial step %d/%d  G %.4f (genre %.4f, realism %.4f, MLE '
          '%.4f)  D %.4f  p(genre) %.3f (tokens %.3f)  tau %.3f  %.2f '
          'steps/s  ETA %.0f s',
          step, target_step, metrics['generator_loss'], metrics['genre_loss'],
          metrics['realism_loss'], metrics['mle_nll'],
          metrics['critic_loss'], metrics['classifier_probability'],
          metrics['hard_probability'], tau,
          progress.steps_per_second(step), progress.eta(step))
      norms = {k[len('gradient_norm_'):]: v for k, v in metrics.items()
               if k.startswith('gradient_norm_')}
      if norms:
        logging.info('  gradient norms: %s', ', '.join(
            f'{name} {value:.3g}' for name, value in norms.items()))
      with writer.as_default(step=step):
        for name, value in metrics.items():
          tf.summary.scalar(f'adversarial/{name}', value)
        tf.summary.scalar('adversarial/temperature', tau)

    def on_eval(step):
      result['evaluation'] = evaluate(self, step, writer)

    with checkpointing.attached_input(
        self.checkpoint,
        self.strategy.distribute_datasets_from_function(dataset_fn)
    ) as iterator:
      step, metrics, _ = loop.run(
          train_step, lambda: self.step, target_step,
          loop.Cadence(s.log_every, s.eval_every, s.checkpoint_every),
          on_log=on_log, on_eval=on_eval if evaluate is not None else None,
          on_save=lambda step: self.manager.save(checkpoint_number=step),
          on_nonfinite=lambda step, metrics: loop.nonfinite_error(
              'Adversarial losses', metrics, step,
              self.manager.latest_checkpoint, 'lower learning rates'),
          should_stop=should_stop)
    result.update(metrics, step=step)
    writer.flush()
    return result
