"""Checkpoints that fail to read: say which, why, and which earlier one does.

A checkpoint whose data file has flipped bytes or was cut short (a full
disk, a copy stopped half way) makes TensorFlow raise deep in its reader.
`cause_if_unreadable` reads every tensor of a checkpoint first and returns
the cause in a phrase; `newest_readable` finds the newest checkpoint of a
folder that reads, so a loader can name it in its one-line error and a
trainer can resume from it with a printed warning (`fallback`).

A folder's list of checkpoints (TensorFlow's text file `checkpoint`) can be
lost or garbled on its own (a copy of the ckpt-N files only, a write cut
short). `latest` then finds the newest ckpt-N from the files, and
`mend_list` writes the list anew for a trainer about to resume, so no
command starts over or fails while the checkpoints themselves are there.
"""

import os
import re
from typing import List, Optional, Tuple

from absl import logging
import tensorflow as tf

LIST_FILE = 'checkpoint'  # TensorFlow's list of a folder's checkpoints.
_STEP = re.compile(r'-(\d+)$')


def cause_if_unreadable(prefix: str) -> str:
  """'' if every tensor of checkpoint `prefix` reads, else why not."""
  try:
    reader = tf.train.load_checkpoint(prefix)
    for name, dtype in reader.get_variable_to_dtype_map().items():
      if dtype.is_numpy_compatible:  # not the input iterator's variant
        reader.get_tensor(name)
  except Exception as e:  # pylint: disable=broad-except
    # DataLossError (checksums), IndexError / OutOfRangeError (truncated).
    detail = (str(e).strip().splitlines() or [''])[0][:120]
    return f'{type(e).__name__}: {detail}' if detail else type(e).__name__
  return ''


def checkpoints_newest_first(directory: str) -> List[str]:
  """Prefixes of the checkpoints in `directory` (ckpt-N), newest first."""
  prefixes = [path[:-len('.index')] for path in
              tf.io.gfile.glob(os.path.join(directory, '*.index'))]
  step = lambda p: int(_STEP.search(p).group(1)) if _STEP.search(p) else -1
  return sorted(prefixes, key=step, reverse=True)


def _listed(directory: str) -> Optional[str]:
  """The newest checkpoint the folder's list names, if its files are there;
  None when the list is missing, lists none of them or does not read."""
  try:
    return tf.train.latest_checkpoint(directory)
  except ValueError:  # An empty list, or not UTF-8 (UnicodeDecodeError).
    return None


def latest(directory: str) -> Optional[str]:
  """tf.train.latest_checkpoint(directory), or when the folder's list of
  checkpoints is missing, does not read or names none that is there, the
  ckpt-N of highest N (None if the folder has no checkpoint)."""
  listed = _listed(directory)
  if listed:
    return listed
  found = checkpoints_newest_first(directory)
  return found[0] if found else None


def mend_list(directory: str) -> None:
  """For a trainer about to resume in `directory`: when its list of
  checkpoints is missing or does not read but ckpt-N files are there,
  writes the list anew from them and warns, so training resumes from the
  newest instead of starting over (and overwriting them)."""
  found = checkpoints_newest_first(directory)
  if not found or _listed(directory):
    return
  tf.compat.v1.train.update_checkpoint_state(
      directory, found[0], all_model_checkpoint_paths=found[::-1])
  logging.warning('The list of checkpoints %s was missing or did not read; '
                  'wrote it anew from the %d checkpoint(s) there (newest %s).',
                  os.path.join(directory, LIST_FILE), len(found), found[0])


def newest_readable(directory: str, skip: Tuple[str, ...] = ()
                    ) -> Optional[str]:
  """The newest checkpoint of `directory` that reads (None if none does)."""
  skipped = {os.path.normpath(p) for p in skip}
  for prefix in checkpoints_newest_first(directory):
    if os.path.normpath(prefix) not in skipped and not cause_if_unreadable(
        prefix):
      return prefix
  return None


def check_readable(prefix: str) -> None:
  """Raises ValueError (one line, naming a readable earlier checkpoint)."""
  cause = cause_if_unreadable(prefix)
  if not cause:
    return
  earlier = newest_readable(os.path.dirname(prefix), skip=(prefix,))
  fix = (f'{earlier} in the same folder reads: pass that prefix instead '
         '(e.g. genre_gan_generate --model_dir=' + earlier + ')'
         if earlier else 'no other checkpoint in that folder reads: '
         'train again')
  raise ValueError(f'Checkpoint {prefix} cannot be read ({cause}); {fix}.')


def fallback(latest: Optional[str], log) -> Optional[str]:
  """For a trainer about to resume from `latest`: None if it reads (or is
  None), else the newest earlier checkpoint that does, with a warning.

  Raises:
    ValueError: no checkpoint of that folder reads.
  """
  if not latest:
    return None
  cause = cause_if_unreadable(latest)
  if not cause:
    return None
  earlier = newest_readable(os.path.dirname(latest), skip=(latest,))
  if earlier is None:
    raise ValueError(f'Checkpoint {latest} cannot be read ({cause}) and no '
                     'earlier one in its folder reads; move the folder away '
                     'to train from the start.')
  log(f'Checkpoint {latest} cannot be read ({cause}); resuming from {earlier} '
      'instead (it will be overwritten when training passes that step).')
  return earlier
