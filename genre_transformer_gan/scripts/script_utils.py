"""Helpers shared by the console scripts."""

import sys

from absl import flags

from genre_transformer_gan.training import cluster

flags.DEFINE_bool('verbose', False, 'Show full tracebacks on errors.')

# Errors a user can fix from the command line (or by re-running, for a
# non-finite loss or a lost worker): printed as one line.
USER_ERRORS = (ValueError, FileNotFoundError, PermissionError,
               FloatingPointError) + cluster.WORKER_LOST


def run_main(command: str, run, argv) -> int:
  """Calls run(); a user error becomes one line on stderr and exit code 1."""
  del argv
  try:
    run()
  except USER_ERRORS as e:
    if flags.FLAGS['verbose'].value:
      raise
    message = str(e).strip() or type(e).__name__
    if isinstance(e, cluster.WORKER_LOST):
      message = cluster.lost_worker_message(e)
    print(f'{command}: error: {message}', file=sys.stderr)
    return 1
  return 0
