"""Who writes what when several workers train one model.

Under `MultiWorkerMirroredStrategy` every worker runs the same program. Only
the chief (task `chief`, or `worker` 0 when the cluster has no chief) writes
the run's checkpoints, TensorBoard events and reports. The other workers
still take part in every save (TensorFlow's multi-worker recipe), into a
scratch folder they delete at once, and restore from the chief's folder, so
a shared model_dir (one machine, NFS, GCS) is all a cluster needs. One
process (no cluster) is its own chief; nothing changes there.

A worker that dies makes its peers' collectives fail; `WORKER_LOST` lists
those errors, and `lost_worker_message` is the one line the scripts print.
"""

import os

import tensorflow as tf

from genre_transformer_gan.models import checkpoint_files

# What a surviving worker sees when a peer dies (or cannot be reached).
WORKER_LOST = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError,
               tf.errors.AbortedError, tf.errors.CancelledError)


def in_cluster(strategy: tf.distribute.Strategy) -> bool:
  """True when this process is one worker of several."""
  resolver = getattr(strategy, 'cluster_resolver', None)
  return bool(resolver is not None and resolver.task_type and
              sum(len(tasks) for tasks in
                  resolver.cluster_spec().as_dict().values()) > 1)


def barrier(strategy: tf.distribute.Strategy) -> None:
  """Returns once every worker has reached it (a no-op in one process)."""
  if not in_cluster(strategy):
    return

  @tf.function
  def all_arrive():
    ones = strategy.run(lambda: tf.constant(1.0))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, ones, axis=None)

  all_arrive()


def is_chief(strategy: tf.distribute.Strategy) -> bool:
  """True for the one process that writes checkpoints and summaries."""
  return bool(strategy.extended.should_checkpoint)


def _task(strategy) -> str:
  resolver = getattr(strategy, 'cluster_resolver', None)
  if resolver is None or not resolver.task_type:
    return 'local'
  return f'{resolver.task_type}_{resolver.task_id}'


def summary_writer(logdir: str, strategy: tf.distribute.Strategy):
  """A TensorBoard writer on the chief; a writer that writes nothing else."""
  if strategy.extended.should_save_summary:
    return tf.summary.create_file_writer(logdir)
  return tf.summary.create_noop_writer()


class _ScratchManager:
  """A non-chief worker's CheckpointManager: saves to scratch, then deletes.

  Restores (and reports `latest_checkpoint` / `checkpoints`) from the
  chief's directory.
  """

  def __init__(self, checkpoint, directory, scratch):
    self._checkpoint = checkpoint
    self.directory = directory
    self._scratch = scratch

  @property
  def latest_checkpoint(self):
    return checkpoint_files.latest(self.directory)

  @property
  def checkpoints(self):
    state = tf.train.get_checkpoint_state(self.directory)
    return list(state.all_model_checkpoint_paths) if state else []

  def restore_or_initialize(self):
    path = self.latest_checkpoint
    if path:
      self._checkpoint.restore(path)
    return path

  def save(self, checkpoint_number=None):
    manager = tf.train.CheckpointManager(self._checkpoint, self._scratch,
                                         max_to_keep=1)  # Deleted below.
    manager.save(checkpoint_number=checkpoint_number)
    tf.io.gfile.rmtree(self._scratch)
    parent = os.path.dirname(self._scratch)
    try:
      if not tf.io.gfile.listdir(parent):
        tf.io.gfile.rmtree(parent)
    except tf.errors.NotFoundError:
      pass  # Another worker removed it first.
    return os.path.join(self.directory, f'ckpt-{checkpoint_number}')


def checkpoint_manager(checkpoint: tf.train.Checkpoint, directory: str,
                       strategy: tf.distribute.Strategy, max_to_keep: int):
  """tf.train.CheckpointManager on the chief; a scratch-saving one elsewhere.

  Both have `save(checkpoint_number)`, `latest_checkpoint`, `checkpoints`
  and `restore_or_initialize()`, reading the chief's `directory`.
  """
  if is_chief(strategy):
    checkpoint_files.mend_list(directory)
    return tf.train.CheckpointManager(checkpoint, directory,
                                      max_to_keep=max_to_keep)
  scratch = os.path.join(directory, 'scratch', _task(strategy))
  return _ScratchManager(checkpoint, directory, scratch)


def lost_worker_message(error: Exception) -> str:
  """One line for a run whose cluster lost a worker."""
  detail = str(error).strip().splitlines()[0][:160] if str(error) else ''
  return (f'a worker of the cluster stopped or cannot be reached '
          f'({type(error).__name__}: {detail}); start every worker again with '
          'the same command: training resumes from the last checkpoint in '
          '--model_dir.')
