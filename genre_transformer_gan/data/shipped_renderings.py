r"""music21's renderings of `corpus_genre/small`'s scores, in the package.

Rendering the 450 scores to MIDI is most of the embedded dataset's build
(83 s on a 2-core AMD EPYC Zen 4, a third of the quick start); the
tokenizer after it takes milliseconds. So the package ships them: one
.npz of MidiCache entries (the MIDI bytes, then their MD5 digest), each
under the name the cache gives its key (corpus_lib.rendering_key: the
rendering code's version, music21's version, the piece and its file's size).

A build reads an entry only under its own key, so with another music21 (or
a changed score file) music21 renders the piece as before. An entry whose
digest does not match is a miss, and the file is read with np.load's
allow_pickle=False: nothing in it is unpickled or executed.
tests/test_shipped_renderings.py renders pieces with music21 (the oracle)
and compares them byte for byte. With the environment variable
GENRE_GAN_SHIPPED_RENDERINGS set to '' (or another .npz) builds read none
(or that one): music21 renders every score, as bench/bench_corpus_build.py
does to time it.

Re-export after a music21 upgrade (bin/ship_renderings.sh): a build into
a fresh data_dir renders and keeps what is not shipped under the new keys,
then

  genre_gan_dataset --dataset=corpus_genre/small --data_dir=/tmp/fresh \
      --export_renderings=<this folder>/corpus_genre_small_renderings.npz
"""

import io
import os
import zipfile
from typing import Iterable, Optional

from absl import logging
import numpy as np

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import midi_cache

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    'corpus_genre_small_renderings.npz')
ENVIRONMENT = 'GENRE_GAN_SHIPPED_RENDERINGS'  # '' reads none; or a path
_VERSION_KEY = 'music21_version'
_OPENED = {}  # path -> np.lib.npyio.NpzFile or None (unreadable), per process


def _archive(path: str):
  if path not in _OPENED:
    try:
      _OPENED[path] = np.load(path, allow_pickle=False)
    except FileNotFoundError:
      _OPENED[path] = None
    except (OSError, ValueError, zipfile.BadZipFile) as e:
      logging.warning('The shipped renderings %s do not read (%s); music21 '
                      'renders every score. Reinstall the package.', path, e)
      _OPENED[path] = None
  return _OPENED[path]


def _path(path: Optional[str]) -> str:
  return os.environ.get(ENVIRONMENT, PATH) if path is None else path


def get(key: str, path: Optional[str] = None) -> Optional[bytes]:
  """The shipped MIDI bytes rendered under `key`, or None (not shipped,
  or not intact). path: the .npz; None, the package's (ENVIRONMENT)."""
  path = _path(path)
  if not path:
    return None
  archive = _archive(path)
  name = midi_cache.entry_name(key)
  if archive is None or name not in archive.files:
    return None
  try:
    entry = archive[name]
  except (OSError, ValueError, zipfile.BadZipFile):
    return None
  return midi_cache.entry_data(entry.tobytes())


def music21_version(path: Optional[str] = None) -> Optional[str]:
  """The music21 version that rendered the shipped entries, or None."""
  path = _path(path)
  archive = _archive(path) if path else None
  if archive is None or _VERSION_KEY not in archive.files:
    return None
  return str(archive[_VERSION_KEY])


def export(keys: Iterable[str], cache_folder: str, path: str = PATH) -> dict:
  """Writes the entries of `cache_folder` (a MidiCache) under `keys` to
  `path`, atomically.

  Returns:
    {'exported': entries written, 'missing': keys without an intact entry
     (music21 could not render the piece, or the build did not reach it),
     'bytes': the file's size}.

  Raises:
    ValueError: no key has an entry there (nothing is written).
  """
  import music21  # pylint: disable=import-outside-toplevel
  cache = midi_cache.MidiCache(cache_folder)
  entries, missing = {}, 0
  for key in keys:
    data = cache.get(key)
    if data is None:
      missing += 1
      continue
    entries[midi_cache.entry_name(key)] = np.frombuffer(
        midi_cache.entry_of(data), np.uint8)
  if not entries:
    raise ValueError(f'No rendering of these pieces in {cache_folder}: '
                     f'build the dataset there first; {path} is unchanged.')
  entries[_VERSION_KEY] = np.array(music21.__version__)
  buffer = io.BytesIO()
  np.savez_compressed(buffer, **entries)
  atomic_files.write_bytes(path, buffer.getvalue())
  _OPENED.pop(path, None)
  return {'exported': len(entries) - 1, 'missing': missing,
          'bytes': os.path.getsize(path)}

