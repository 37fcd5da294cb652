"""Helpers shared by the console scripts.

A script's module imports no TensorFlow (its enum flags take their values
from choices.py): its work imports what it needs inside `run`, so --help
and a bad flag answer in a fraction of a second.
"""

import sys

from absl import app
from absl import flags

flags.DEFINE_bool('verbose', False, 'Show full tracebacks on errors.')


# Errors a user can fix from the command line (or by re-running, for a
# non-finite loss), printed as one line; _user_errors() adds TensorFlow's.
_PLAIN_USER_ERRORS = (ValueError, FileNotFoundError, PermissionError,
                      FloatingPointError)


def _user_errors():
  """_PLAIN_USER_ERRORS, and once TensorFlow is loaded a full disk and a
  lost worker: those come from modules that load it, so an error raised
  before it loaded is neither, and this does not load it."""
  if 'tensorflow' not in sys.modules:
    return _PLAIN_USER_ERRORS
  from genre_transformer_gan import atomic_files  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import cluster  # pylint: disable=import-outside-toplevel
  return _PLAIN_USER_ERRORS + (atomic_files.DiskFullError,) + (
      cluster.WORKER_LOST)


def run_main(command: str, run, argv) -> int:
  """Calls run(); a user error becomes one line on stderr and exit code 1."""
  del argv
  try:
    run()
  except Exception as e:  # pylint: disable=broad-except
    if not isinstance(e, _user_errors()) or flags.FLAGS['verbose'].value:
      raise
    message = str(e).strip() or type(e).__name__
    if 'tensorflow' in sys.modules:
      from genre_transformer_gan.training import cluster  # pylint: disable=import-outside-toplevel
      if isinstance(e, cluster.WORKER_LOST):
        message = cluster.lost_worker_message(e)
    print(f'{command}: error: {message}', file=sys.stderr)
    return 1
  return 0


def run_app(main, module_name: str) -> None:
  """app.run(main) for the console script in `module_name`, with a --help
  that shows its docstring (examples included) and its flags.

  Under a setuptools entry point `__main__` is the generated wrapper, and
  absl's --help would print neither (only `python -m` showed them): the
  command's module lends both to `__main__`.
  """
  module = sys.modules[module_name]
  main_module = sys.modules['__main__']
  if main_module is not module:
    main_module.__doc__ = module.__doc__
    for name in (module_name, __name__):
      for flag in flags.FLAGS.get_flags_for_module(name):
        flags.FLAGS.register_key_flag_for_module(sys.argv[0], flag)
  app.run(main)
