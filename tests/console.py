"""Runs the package's console scripts in subprocesses, as a user would."""

import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def script_command(name):
  """The command line of console script `name` (its module if not installed)."""
  script = shutil.which(name)
  return [script] if script else [
      sys.executable, '-m', f'genre_transformer_gan.scripts.{name}']


def env():
  """The environment scripts run in: this checkout's package first."""
  return dict(os.environ, PYTHONPATH=REPO)


def run_script(name, *flags, timeout=600):
  """Runs console script `name` with `flags`; returns the CompletedProcess."""
  return subprocess.run(script_command(name) + list(flags),
                        capture_output=True, text=True, timeout=timeout,
                        cwd=REPO, env=env())
