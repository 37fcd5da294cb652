"""Writes that leave the old file or none, never half of one.

  with atomic_files.path('out/folk_00.wav') as temporary:
    write_the_file(temporary)          # renamed to out/folk_00.wav at the end
  atomic_files.write_bytes(path, data)
  atomic_files.write_text(path, text)
  atomic_files.write_json(path, value)

The temporary file sits in the same folder (a rename there is atomic on one
filesystem), is hidden (a leading dot) and keeps the extension, so writers
that choose the format by extension (matplotlib, MIDI, WAV) still work. If
the block raises, or the process is stopped mid-write, the target keeps
its old content (or stays absent); the temporary is removed when Python
can. A full disk becomes DiskFullError, one line naming the file; callers
that know which flag chose the folder add it (`name_the_flag`).
Works on local paths and on what tf.io.gfile reaches (gs://).
"""

import contextlib
import errno
import json
import os

import tensorflow as tf


class DiskFullError(OSError):
  """No space left on the device being written (str: the one line)."""

  def __str__(self):
    return self.strerror


def _is_disk_full(error: BaseException) -> bool:
  if isinstance(error, DiskFullError):
    return True
  if isinstance(error, OSError) and error.errno == errno.ENOSPC:
    return True
  return 'No space left on device' in str(error)


def temporary_name(final: str) -> str:
  """The hidden temporary beside `final` that this process writes first."""
  directory, name = os.path.split(os.fspath(final))
  stem, extension = os.path.splitext(name)
  return os.path.join(directory, f'.{stem}.partial-{os.getpid()}{extension}')


@contextlib.contextmanager
def path(final: str):
  """Yields a temporary path; renames it to `final` when the block ends.

  Raises:
    DiskFullError: the device filled up (nothing is left behind).
  """
  final = os.fspath(final)
  temporary = temporary_name(final)
  try:
    yield temporary
    tf.io.gfile.rename(temporary, final, overwrite=True)
  except BaseException as e:
    try:
      if tf.io.gfile.exists(temporary):
        tf.io.gfile.remove(temporary)
    except (OSError, tf.errors.OpError):
      pass
    if _is_disk_full(e) and not isinstance(e, DiskFullError):
      raise DiskFullError(errno.ENOSPC,
                          f'no space left on device writing {final}') from e
    raise


def write_bytes(final: str, data: bytes) -> None:
  with path(final) as temporary:
    with tf.io.gfile.GFile(temporary, 'wb') as f:
      f.write(data)


def write_text(final: str, text: str) -> None:
  with path(final) as temporary:
    with tf.io.gfile.GFile(temporary, 'w') as f:
      f.write(text)


def write_json(final: str, value, indent: int = 2) -> None:
  write_text(final, json.dumps(value, indent=indent))


def name_the_flag(error: DiskFullError, flag: str) -> DiskFullError:
  """The same error, its line ending with the fix for `flag`."""
  return DiskFullError(errno.ENOSPC, f'{error.strerror}; free space or '
                       f'choose another {flag}')
