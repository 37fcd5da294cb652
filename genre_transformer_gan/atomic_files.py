"""Writes that leave the old file or none, never half of one.

  with atomic_files.path('out/folk_00.wav') as temporary:
    write_the_file(temporary)          # renamed to out/folk_00.wav at the end
  atomic_files.write_bytes(path, data)
  atomic_files.write_text(path, text)
  atomic_files.write_json(path, value)
  atomic_files.read_json(path, 'run record', fix)   # and back, or one line

The temporary file sits in the same folder (a rename there is atomic on one
filesystem), is hidden (a leading dot) and keeps the extension, so writers
that choose the format by extension (matplotlib, MIDI, WAV) still work. If
the block raises, or the process is stopped mid-write, the target keeps
its old content (or stays absent); the temporary is removed when Python
can. A full disk becomes DiskFullError, one line naming the file; callers
that know which flag chose the folder add it (`name_the_flag`).
`read_json` reads such a file back: one that is empty, cut short, not
UTF-8, not a JSON object or without the keys its reader needs raises one
line naming the file and the fix, never a traceback or a KeyError later.
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


def read_json(final: str, what: str, fix: str, keys=()) -> dict:
  """The JSON object in `final`, which holds every one of `keys`.

  Args:
    final: the file (write_json's).
    what: what the file is, for the message ('run record').
    fix: what the user does about a bad one ('delete it: ...').
    keys: the keys its reader needs.

  Raises:
    FileNotFoundError: there is no file.
    ValueError: one line, '<final> is not a readable <what> (<why>); <fix>.'
  """
  final = os.fspath(final)
  if not tf.io.gfile.exists(final):
    raise FileNotFoundError(f'{final} is missing; {fix}.')
  with tf.io.gfile.GFile(final, 'rb') as f:
    data = f.read()
  value, why = None, ''
  try:
    value = json.loads(data.decode('utf-8'))
  except UnicodeDecodeError:
    why = 'not UTF-8 text'
  except json.JSONDecodeError as e:
    why = ('empty' if not data.strip() else
           f'not JSON: {e.msg} at line {e.lineno} column {e.colno}')
  if not why and not isinstance(value, dict):
    why = f'a JSON {type(value).__name__}, not an object'
  if not why:
    missing = [key for key in keys if key not in value]
    why = f'no {", ".join(map(repr, missing))}' if missing else ''
  if why:
    raise ValueError(f'{final} is not a readable {what} ({why}); {fix}.')
  return value


def name_the_flag(error: DiskFullError, flag: str) -> DiskFullError:
  """The same error, its line ending with the fix for `flag`."""
  return DiskFullError(errno.ENOSPC, f'{error.strerror}; free space or '
                       f'choose another {flag}')
