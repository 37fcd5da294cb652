"""What the benchmarks record about the machine they ran on."""

import os
import platform


def cpu_model() -> str:
  """The CPU's model name (from /proc/cpuinfo where there is one)."""
  try:
    with open('/proc/cpuinfo') as f:
      for line in f:
        if line.startswith('model name'):
          return line.split(':', 1)[1].strip()
  except OSError:
    pass
  return platform.processor() or platform.machine()


def describe() -> dict:
  """{'cpu': model name, 'cores': logical cores}."""
  return {'cpu': cpu_model(), 'cores': os.cpu_count()}
