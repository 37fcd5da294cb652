"""Checks on paths from the command line, made before any work starts.

`ensure_writable_dir` finds an unwritable folder before hours of work;
`exclusive` keeps two runs from writing one folder at once.
"""

import contextlib
import os
import socket

import tensorflow as tf

LOCK_FILE = '.lock'


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


def _alive(pid: int) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:  # Someone else's process: alive.
    return True
  return True


@contextlib.contextmanager
def exclusive(path: str, flag: str, command: str):
  """Holds `path`/.lock while the block runs; refuses a second holder.

  The lock file names the host and process. One left by a process that is
  gone (killed) on this host is taken over. Only local folders are locked
  (gs:// and the like: the block runs unlocked).

  Raises:
    ValueError: another live process holds the folder (one line).
  """
  if '://' in path:
    yield
    return
  lock = os.path.join(path, LOCK_FILE)
  me = f'{socket.gethostname()} {os.getpid()}'
  for _ in range(2):
    try:
      descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
      try:
        with open(lock) as f:
          host, pid = f.read().split()
      except (OSError, ValueError):
        host, pid = '', '0'
      if host == socket.gethostname() and not _alive(int(pid)):
        os.remove(lock)  # Left by a run that was killed: take it over.
        continue
      raise ValueError(
          f'Another {command} (process {pid} on {host or "?"}) is writing '
          f'to {flag}={path}; wait for it to finish, or choose another '
          f'{flag} (if no such run exists, delete {lock}).') from None
    with os.fdopen(descriptor, 'w') as f:
      f.write(me)
    break
  try:
    yield
  finally:
    try:
      os.remove(lock)
    except OSError:
      pass
