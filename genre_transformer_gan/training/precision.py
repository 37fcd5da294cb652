"""Which dtype policy a training run computes in: float32 or mixed bfloat16.

`TrainConfig.precision` (and `genre_gan_train --precision`):

  float32          everything in float32.
  mixed_bfloat16   matmuls and their inputs in bfloat16, variables, layer
                   norms, softmax and the loss in float32
                   (models/music_transformer.py).
  auto             (the Music Transformer; the LSTM and WaveNet families
                   always train in float32) mixed_bfloat16 on a TPU, and on
                   a CPU whose flags show native bfloat16 matmuls:
                   `avx512_bf16` (AMD Zen 4, Intel Cooper Lake) or
                   `amx_bf16` (Intel Sapphire Rapids and later), where
                   oneDNN runs them faster than float32
                   (BENCHMARKS.md, "Training"); float32 everywhere else
                   (a CPU without them emulates bfloat16 and is slower;
                   GPUs are not tested).
"""

import functools
import platform
from typing import FrozenSet, Optional

import tensorflow as tf

from genre_transformer_gan import choices

PRECISIONS = choices.PRECISIONS
BF16_CPU_FLAGS = ('avx512_bf16', 'amx_bf16')


def _cpuinfo(field: str, path: str = '/proc/cpuinfo') -> Optional[str]:
  """The first `field: value` of /proc/cpuinfo (Linux), or None."""
  try:
    with open(path) as f:
      for line in f:
        if line.startswith(field):
          return line.split(':', 1)[1].strip()
  except OSError:
    pass
  return None


@functools.lru_cache(maxsize=None)
def cpu_flags(path: str = '/proc/cpuinfo') -> FrozenSet[str]:
  """The CPU's feature flags (Linux); empty where they cannot be read."""
  return frozenset((_cpuinfo('flags', path) or '').split())


def cpu_model() -> str:
  """The CPU's model name (/proc/cpuinfo where there is one)."""
  return (_cpuinfo('model name') or platform.processor() or
          platform.machine())


def cpu_has_bf16(flags: Optional[FrozenSet[str]] = None) -> bool:
  """True if the CPU multiplies bfloat16 matrices natively."""
  flags = cpu_flags() if flags is None else flags
  return any(flag in flags for flag in BF16_CPU_FLAGS)


def resolve(precision: str, strategy: Optional[tf.distribute.Strategy] = None,
            flags: Optional[FrozenSet[str]] = None) -> str:
  """'float32' or 'mixed_bfloat16' for a precision setting on this machine.

  Raises:
    ValueError: an unknown setting (one line naming the choices).
  """
  if precision not in PRECISIONS:
    raise ValueError(f'Unknown precision {precision!r}; choose one of: '
                     f'{", ".join(PRECISIONS)}.')
  if precision != 'auto':
    return precision
  strategy = strategy or tf.distribute.get_strategy()
  if isinstance(strategy, (tf.distribute.TPUStrategy,
                           tf.distribute.experimental.TPUStrategy)):
    return 'mixed_bfloat16'
  if tf.config.list_logical_devices('GPU'):
    return 'float32'
  return 'mixed_bfloat16' if cpu_has_bf16(flags) else 'float32'


def onednn_enabled() -> bool:
  """True if TensorFlow runs its oneDNN CPU kernels in this process (the
  package turns them on when it is imported before TensorFlow)."""
  from tensorflow.python.util import _pywrap_util_port  # pylint: disable=import-outside-toplevel
  return bool(_pywrap_util_port.IsMklEnabled())


def describe_cpu(flags: Optional[FrozenSet[str]] = None,
                 onednn: Optional[bool] = None) -> str:
  """'CPU bfloat16 flags: avx512_bf16, oneDNN on' or 'no CPU bfloat16
  flags, oneDNN off'."""
  flags = cpu_flags() if flags is None else flags
  onednn = onednn_enabled() if onednn is None else onednn
  found = [flag for flag in BF16_CPU_FLAGS if flag in flags]
  return ((f'CPU bfloat16 flags: {", ".join(found)}' if found
           else 'no CPU bfloat16 flags') +
          (', oneDNN on' if onednn else
           ', oneDNN off (TF_ENABLE_ONEDNN_OPTS=1 before TensorFlow is '
           'imported turns it on)'))


def for_run(config, strategy: Optional[tf.distribute.Strategy] = None) -> str:
  """The dtype policy a run's generator trains in (resolve, per family).

  Only the Music Transformer passes its policy down to every sublayer; the
  LSTM and WaveNet generators train in float32.
  """
  if config.generator != 'transformer':
    return 'float32'
  return resolve(config.train.precision, strategy)
