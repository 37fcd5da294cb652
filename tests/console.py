"""Runs the package's console scripts in subprocesses, as a user would."""

import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_script(name, *flags, timeout=600):
  """Runs console script `name` (its module if it is not installed)."""
  script = shutil.which(name)
  command = [script] if script else [
      sys.executable, '-m', f'genre_transformer_gan.scripts.{name}']
  return subprocess.run(command + list(flags), capture_output=True, text=True,
                        timeout=timeout, cwd=REPO,
                        env=dict(os.environ, PYTHONPATH=REPO))
