"""Learning-rate schedules."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package='genre_transformer_gan')
class RsqrtWarmup(keras.optimizers.schedules.LearningRateSchedule):
  """tensor2tensor's constant * linear_warmup * rsqrt_decay * rsqrt_hidden_size.

  lr(step) = constant * min(1, step / warmup) / sqrt(max(step, warmup))
             / sqrt(hidden_size)

  (Magenta's score2perf transformer uses it with constant 2.0.)
  """

  def __init__(self, constant=2.0, warmup_steps=4000, hidden_size=384):
    self.constant = constant
    self.warmup_steps = warmup_steps
    self.hidden_size = hidden_size

  def __call__(self, step):
    step = ops.cast(step, 'float32') + 1.0
    warmup = float(self.warmup_steps)
    return (self.constant * ops.minimum(1.0, step / warmup)
            * ops.rsqrt(ops.maximum(step, warmup))
            * self.hidden_size**-0.5)

  def get_config(self):
    return {'constant': self.constant, 'warmup_steps': self.warmup_steps,
            'hidden_size': self.hidden_size}


class Offset(keras.optimizers.schedules.LearningRateSchedule):
  """schedule(step + offset), offset an int64 variable (checkpointed).

  An optimizer that starts from pretrained weights but fresh moments counts
  its steps from 0 (Adam's bias correction needs that: with its step set to
  2500 and zero moments, its first updates are 2-4x the learning rate),
  while the learning rate continues where pre-training stopped.
  """

  def __init__(self, schedule, offset):
    self.schedule = schedule
    self.offset = offset

  def __call__(self, step):
    return self.schedule(ops.cast(step, 'int64') + ops.cast(
        self.offset, 'int64'))

  def get_config(self):
    return {'schedule': self.schedule.get_config()}
