"""What the benchmarks record about the machine they ran on."""

import os

from genre_transformer_gan.training import precision


def describe() -> dict:
  """{'cpu': model name, 'cores': logical cores}."""
  return {'cpu': precision.cpu_model(), 'cores': os.cpu_count()}
