"""Maximum-likelihood training of a generator under tf.distribute.

The same loop runs on one CPU, MirroredStrategy, MultiWorkerMirroredStrategy
and TPUStrategy: each replica's loss is its summed token NLL divided by the
number of predicted tokens across all replicas, so the optimizer's
all-reduced (summed) gradients are those of the global mean, and every
replica's rows come from the global batch one process would use
(pipeline.replica_slices): N workers take the steps one process takes. Only
the chief writes checkpoints and TensorBoard (cluster.py).
Checkpoints (model, optimizer, step, the input iterator's position and the
dropout seeds) go through tf.train.CheckpointManager and resume exactly: a
resumed run sees the batches an uninterrupted run would have. The model
computes in `precision.for_run`'s dtype. TensorBoard gets loss, learning
rate, tokens/s and validation NLL; progress lines give rate and ETA.
"""

from typing import Callable, Optional

from absl import logging
import keras
import tensorflow as tf

from genre_transformer_gan.data import pipeline
from genre_transformer_gan.models import checkpoint_files
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import losses
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import checkpointing
from genre_transformer_gan.training import cluster
from genre_transformer_gan.training import loop
from genre_transformer_gan.training import optimization
from genre_transformer_gan.training import precision
from genre_transformer_gan.training import schedules


class MleTrainer:
  """Builds (or restores from model_dir) a generator and trains it by MLE.

  Args:
    config: a configs.Config (its `generator` family is built).
    vocab_size: generator vocabulary size.
    model_dir: checkpoints and TensorBoard events.
    strategy: a tf.distribute strategy (default: the current one).
    seed: initialisation and dropout (keras.utils.set_random_seed); with the
      data pipeline's seed, the same seed gives the same losses on a CPU.
  """

  def __init__(self, config, vocab_size: int, model_dir: str,
               strategy: Optional[tf.distribute.Strategy] = None,
               seed: int = 0):
    keras.utils.set_random_seed(seed)
    self.config = config
    self.model_dir = model_dir
    self.strategy = strategy or tf.distribute.get_strategy()
    train = config.train
    with self.strategy.scope():
      self.dtype = precision.for_run(config, self.strategy)
      self.model = generators.build(config, vocab_size, dtype=self.dtype)
      self.schedule = schedules.RsqrtWarmup(
          train.learning_rate_constant, train.warmup_steps,
          self.model.hidden_size)
      # Steps taken before this optimizer existed (a pretrained start): the
      # schedule continues from them while Adam counts its own steps, so
      # its bias correction fits its moments (which start at zero).
      self.step_offset = tf.Variable(0, dtype=tf.int64, trainable=False,
                                     name='step_offset')
      self.optimizer = keras.optimizers.Adam(
          learning_rate=schedules.Offset(self.schedule, self.step_offset),
          beta_1=0.9, beta_2=0.997,
          epsilon=1e-9)  # Clipping is done in the step: see there.
      self.optimizer.build(self.model.trainable_variables)
    self.checkpoint = tf.train.Checkpoint(
        model=self.model, optimizer=self.optimizer,
        seed_states=checkpointing.seed_states(self.model),
        step_offset=self.step_offset)
    self.manager = cluster.checkpoint_manager(
        self.checkpoint, run_layout.checkpoints_dir(model_dir),
        self.strategy, max_to_keep=train.keep_checkpoints)
    earlier = checkpoint_files.fallback(self.manager.latest_checkpoint,
                                        logging.warning)
    if earlier:
      self.checkpoint.restore(earlier)
      self.restored_from = earlier
    else:
      self.restored_from = self.manager.restore_or_initialize()
    if self.restored_from:
      logging.info('Resumed from %s at step %d.', self.restored_from,
                   self.step)
    if train.jit_compile:  # Each replica's step is one XLA cluster.
      self._replica_train_step = tf.function(self._replica_train_step,
                                             jit_compile=True)
      self._replica_eval_step = tf.function(self._replica_eval_step,
                                            jit_compile=True)
    self._train_step = tf.function(self._distributed_train_step)
    self._eval_step = tf.function(self._distributed_eval_step)

  @property
  def step(self) -> int:
    """The global step: the schedule's, counting pretrained steps."""
    return int(self.optimizer.iterations.numpy() + self.step_offset.numpy())

  def _replica_train_step(self, batch):
    with tf.GradientTape() as tape:
      loss_sum, count = losses.next_token_nll(
          self.model, batch, training=True,
          label_smoothing=self.config.train.label_smoothing)
      global_count = tf.distribute.get_replica_context().all_reduce(
          tf.distribute.ReduceOp.SUM, count)
      loss = loss_sum / tf.maximum(global_count, 1.0)
    variables = self.model.trainable_variables
    optimization.apply_clipped_gradients(
        self.optimizer, tape.gradient(loss, variables), variables,
        self.config.train.clip_norm)
    return loss, count

  def _distributed_train_step(self, iterator):
    loss, count = self.strategy.run(self._replica_train_step,
                                    args=(next(iterator),))
    return self._sum(loss), self._sum(count)

  def _sum(self, per_replica):
    return self.strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica,
                                axis=None)

  def _replica_eval_step(self, batch):
    return losses.next_token_nll(self.model, batch, training=False)

  def _distributed_eval_step(self, batch):
    loss_sum, count = self.strategy.run(self._replica_eval_step,
                                        args=(batch,))
    return self._sum(loss_sum), self._sum(count)

  def evaluate(self, dataset: tf.data.Dataset) -> float:
    """Mean next-token NLL (nats per token) over a finite dataset."""
    total, count = 0.0, 0.0
    for batch in self.strategy.experimental_distribute_dataset(
        pipeline.shard_by_data(dataset)):
      loss_sum, batch_count = self._eval_step(batch)
      total += float(loss_sum)
      count += float(batch_count)
    return total / max(count, 1.0)

  def train(self, dataset_fn: Callable, target_step: int,
            eval_dataset: Optional[tf.data.Dataset] = None,
            should_stop: Optional[Callable[[int], bool]] = None):
    """Trains until the global step reaches target_step (or should_stop).

    Args:
      dataset_fn: input_context -> tf.data.Dataset of int [B, L] batches
        (e.g. pipeline.train_dataset with input_context).
      target_step: the global step to reach (a resumed run continues to it).
      eval_dataset: finite batches for validation NLL.
      should_stop: called with the step after every step; True ends the
        run there as if it were target_step (logged, evaluated, saved),
        e.g. at a time budget.

    Returns:
      {'step': ..., 'loss': last loss, 'eval_nll': last validation NLL,
       'seconds': wall time of this call}.

    Raises:
      FloatingPointError: a non-finite loss; the last checkpoint is kept.
    """
    train = self.config.train
    writer = cluster.summary_writer(run_layout.mle_events(self.model_dir),
                                    self.strategy)
    result = {'step': self.step, 'loss': None, 'eval_nll': None}
    window = {'tokens': 0.0}

    def train_step():
      loss, count = self._train_step(iterator)
      window['tokens'] += float(count)
      return {'loss': float(loss)}

    def on_log(step, target_step, metrics, progress):
      tokens_per_s = window['tokens'] / progress.window_seconds()
      window['tokens'] = 0.0
      learning_rate = float(self.schedule(step - 1))
      logging.info('step %d/%d  loss %.4f  lr %.2e  %.0f tokens/s  '
                   '%.2f steps/s  ETA %.0f s', step, target_step,
                   metrics['loss'], learning_rate, tokens_per_s,
                   progress.steps_per_second(step), progress.eta(step))
      with writer.as_default(step=step):
        tf.summary.scalar('loss', metrics['loss'])
        tf.summary.scalar('learning_rate', learning_rate)
        tf.summary.scalar('tokens_per_second', tokens_per_s)

    def on_eval(step):
      result['eval_nll'] = self.evaluate(eval_dataset)
      logging.info('step %d  validation NLL %.4f nats/token', step,
                   result['eval_nll'])
      with writer.as_default(step=step):
        tf.summary.scalar('validation_nll', result['eval_nll'])

    with checkpointing.attached_input(
        self.checkpoint,
        self.strategy.distribute_datasets_from_function(dataset_fn)
    ) as iterator:
      step, metrics, progress = loop.run(
          train_step, lambda: self.step, target_step,
          loop.Cadence(train.log_every, train.eval_every,
                       train.checkpoint_every),
          on_log=on_log,
          on_eval=on_eval if eval_dataset is not None else None,
          on_save=lambda step: self.manager.save(checkpoint_number=step),
          on_nonfinite=lambda step, metrics: loop.nonfinite_error(
              'The loss', metrics['loss'], step,
              self.manager.latest_checkpoint, 'a lower learning rate'),
          should_stop=should_stop)
    writer.flush()
    result.update(step=step, loss=metrics.get('loss'),
                  seconds=progress.elapsed())
    return result
