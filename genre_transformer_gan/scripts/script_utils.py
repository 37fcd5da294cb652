"""Helpers shared by the console scripts."""

import sys

from absl import flags

flags.DEFINE_bool('verbose', False, 'Show full tracebacks on errors.')

# Errors a user can fix from the command line (or by re-running, for a
# non-finite loss): printed as one line.
USER_ERRORS = (ValueError, FileNotFoundError, PermissionError,
               FloatingPointError)


def run_main(command: str, run, argv) -> int:
  """Calls run(); a user error becomes one line on stderr and exit code 1."""
  del argv
  try:
    run()
  except USER_ERRORS as e:
    if flags.FLAGS.verbose:
      raise
    message = str(e).strip() or type(e).__name__
    print(f'{command}: error: {message}', file=sys.stderr)
    return 1
  return 0
