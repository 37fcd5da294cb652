"""Checks on paths from the command line, made before any work starts."""

import os

import tensorflow as tf


def ensure_writable_dir(path: str, flag: str) -> None:
  """Creates directory `path`; a PermissionError naming `flag` if it can't.

  Writes and removes a probe file, so a directory that exists but cannot be
  written to is found now, not after hours of training.
  """
  probe = os.path.join(path, '.write_test')
  try:
    tf.io.gfile.makedirs(path)
    with tf.io.gfile.GFile(probe, 'w') as f:
      f.write('')
    tf.io.gfile.remove(probe)
  except (OSError, tf.errors.OpError) as e:
    reason = getattr(e, 'strerror', None) or getattr(e, 'message', None) or e
    raise PermissionError(f'Cannot write to {flag}={path} ({reason}); pass a '
                          f'writable {flag}.') from None
