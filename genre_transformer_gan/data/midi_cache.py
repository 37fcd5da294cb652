"""A folder of MIDI renderings, so a rebuild does not render a score again.

music21's rendering of a score to MIDI is most of a corpus_genre build's
time (1-5 s for a classical movement, most of it music21's repeat
expansion); the tokenizer after it takes milliseconds. The builder keeps
each rendering in `<data_dir>/downloads/corpus_genre_midi/`, so building
another version or config of the dataset (after a tokenizer change, or
`full` after `small`) tokenizes what was rendered before
(BENCHMARKS.md, "Dataset builds").

  cache = midi_cache.MidiCache(folder)
  data = cache.get(key)           # None: not there, or not intact
  cache.put(key, data)            # atomic; a failed write is logged once

An entry is the MIDI bytes followed by their MD5 digest; an entry whose
digest does not match (a truncated or altered file) is a miss and is
rendered and written again, so a damaged cache never costs a piece. Entries
are only ever read as bytes (nothing in the folder is executed or
unpickled). Delete the folder to render everything again.
"""

import hashlib
import os
from typing import Optional

from absl import logging
import tensorflow as tf

from genre_transformer_gan import atomic_files

_DIGEST_BYTES = 16  # MD5
_UNWRITABLE = set()  # folders this process could not write: warned once


def entry_name(key: str) -> str:
  """The file name of `key`'s entry: <md5 of key>.mid."""
  return hashlib.md5(key.encode('utf-8')).hexdigest() + '.mid'


def entry_of(data: bytes) -> bytes:
  """An entry: the MIDI bytes followed by their MD5 digest."""
  return data + hashlib.md5(data).digest()


def entry_data(entry: bytes) -> Optional[bytes]:
  """The MIDI bytes of an entry, or None if it is not intact."""
  data, digest = entry[:-_DIGEST_BYTES], entry[-_DIGEST_BYTES:]
  if len(entry) <= _DIGEST_BYTES or hashlib.md5(data).digest() != digest:
    return None
  return data


class MidiCache:
  """MIDI bytes by key in `folder` (a local path or one tf.io.gfile reaches).

  Attributes:
    folder: where the entries are.
  """

  def __init__(self, folder: str):
    self.folder = os.fspath(folder)

  def path(self, key: str) -> str:
    """The entry's file: <folder>/<md5 of key>.mid."""
    return os.path.join(self.folder, entry_name(key))

  def get(self, key: str) -> Optional[bytes]:
    """The MIDI bytes put under `key`, or None (absent or not intact)."""
    try:
      with tf.io.gfile.GFile(self.path(key), 'rb') as f:
        entry = f.read()
    except (OSError, tf.errors.OpError):
      return None
    return entry_data(entry)

  def __contains__(self, key: str) -> bool:
    """Whether an entry exists (intact or not: `get` checks)."""
    return tf.io.gfile.exists(self.path(key))

  def put(self, key: str, data: bytes) -> None:
    """Writes the entry atomically; a failure is logged once per folder and
    process, not raised (the rendering is still used, only not kept)."""
    try:
      tf.io.gfile.makedirs(self.folder)
      atomic_files.write_bytes(self.path(key), entry_of(data))
    except (OSError, tf.errors.OpError) as e:
      if self.folder not in _UNWRITABLE:
        logging.warning('Not keeping MIDI renderings in %s (%s); the build '
                        'goes on without them.', self.folder, e)
      _UNWRITABLE.add(self.folder)
