"""What the benchmarks record about the machine they ran on."""

import os

from genre_transformer_gan.training import precision


def describe() -> dict:
  """{'cpu': model name, 'cores': logical cores, 'onednn': whether
  TensorFlow's oneDNN kernels ran (the package turns them on when it is
  imported before TensorFlow)}."""
  return {'cpu': precision.cpu_model(), 'cores': os.cpu_count(),
          'onednn': precision.onednn_enabled()}
