"""Resuming where the data left off: the input iterator in the checkpoint.

tf.data iterators are checkpointable (shuffle buffer, random-crop seeds,
the position in the repeated stream), and so are the iterators of
`Strategy.distribute_datasets_from_function` on one machine. The trainers
attach theirs to their tf.train.Checkpoint when training starts; if that
checkpoint was restored, TensorFlow restores the iterator's saved state as
it is attached (deferred restoration), so an interrupted run continues with
exactly the batches an uninterrupted run would have seen. Checkpoints made
before the iterator was saved have no such state: the iterator then starts
from the beginning of its stream, as it always did.

The iterator is detached when training ends (`attached_input`): the trainer
and its checkpoint form a reference cycle, so an iterator left in it would
live until Python's cycle collector ran, at some later moment, and its
destructor would then wait for the pipeline's background threads in the
middle of whatever work came next.
"""

import contextlib

import tensorflow as tf

_NAME = 'input_iterator'


def attach_input(checkpoint: tf.train.Checkpoint, iterator):
  """Adds `iterator` to `checkpoint` (restoring its saved state); returns it.

  Raises:
    ValueError: the checkpoint's input state does not fit this run's input
      pipeline (other dataset, genres, batch size or sequence length).
  """
  try:
    setattr(checkpoint, _NAME, iterator)
  except (tf.errors.InvalidArgumentError, tf.errors.NotFoundError,
          tf.errors.FailedPreconditionError, ValueError) as e:
    raise ValueError(
        'The checkpoint was written by a run with another input pipeline '
        '(dataset, genres, batch size or sequence length), so its data '
        'position cannot be restored; resume with the same flags, or train '
        f'into a new --model_dir ({type(e).__name__}).') from e
  return iterator


@contextlib.contextmanager
def attached_input(checkpoint: tf.train.Checkpoint, dataset):
  """Iterates `dataset` with the iterator attached to `checkpoint`.

  Yields the iterator (see attach_input); on leaving the block, even by an
  exception, the checkpoint lets go of it, so it is freed as soon as the
  caller's own references go. A later block starts a new iterator from the
  beginning of the stream (a new trainer restores the saved position).
  """
  iterator = iter(dataset)
  try:
    yield attach_input(checkpoint, iterator)
  finally:
    if getattr(checkpoint, _NAME, None) is iterator:
      delattr(checkpoint, _NAME)


def seed_states(*models) -> list:
  """The state variables of the models' random seed generators (dropout).

  Keras layers draw dropout masks from SeedGenerators whose int64 state
  advances every step; `model.weights` (and so a checkpoint of the model
  alone) leave them out. Saved beside the model, a resumed run draws the
  masks an uninterrupted run would have, instead of those of its step 1.
  """
  return [variable for model in models for variable in model.variables
          if variable.path.endswith('seed_generator_state')]
