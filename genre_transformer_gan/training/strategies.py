"""--strategy names -> tf.distribute strategies."""

import tensorflow as tf

from genre_transformer_gan import choices

STRATEGIES = choices.STRATEGIES


def _tpu_strategy():
  resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
  tf.config.experimental_connect_to_cluster(resolver)
  tf.tpu.experimental.initialize_tpu_system(resolver)
  return tf.distribute.TPUStrategy(resolver)


def get_strategy(name: str = 'auto') -> tf.distribute.Strategy:
  """auto: a TPU if one is attached, else all GPUs, else the default (CPU).

  Raises:
    ValueError: unknown name, or `tpu` without a TPU.
  """
  if name not in STRATEGIES:
    raise ValueError(f'Unknown --strategy={name}; choose one of: '
                     f'{", ".join(STRATEGIES)}.')
  if name == 'tpu':
    try:
      return _tpu_strategy()
    except (ValueError, tf.errors.NotFoundError) as e:
      raise ValueError(f'--strategy=tpu but no TPU was found ({e}); use '
                       '--strategy=auto.') from e
  if name == 'mirrored':
    return tf.distribute.MirroredStrategy()
  if name == 'multi_worker':
    return tf.distribute.MultiWorkerMirroredStrategy()
  if name == 'auto':
    try:
      return _tpu_strategy()
    except (ValueError, tf.errors.NotFoundError):
      pass
    if len(tf.config.list_logical_devices('GPU')) > 1:
      return tf.distribute.MirroredStrategy()
  return tf.distribute.get_strategy()
