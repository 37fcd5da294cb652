"""Files in and out of a Colab notebook: upload a primer, download results.

In Colab, `google.colab.files` opens the browser's file picker and starts
downloads; anywhere else (Jupyter, a test) these functions say in one line
what to do instead and return None, so the notebook runs top to bottom on
any machine.

  primer = colab_files.upload_midi('work')         # 'work/uploads/tune.mid'
  archive = colab_files.archive('work', ['samples', 'transfer'])
  colab_files.download(archive)                    # the browser saves it
"""

import os
import shutil
import tempfile
from typing import Optional, Sequence

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import tokenizer


def _colab_files():
  """google.colab.files, or None outside Colab."""
  try:
    from google.colab import files  # pylint: disable=import-outside-toplevel
  except ImportError:
    return None
  return files


def upload_midi(directory: str, log=print) -> Optional[str]:
  """Asks for a MIDI file; writes it to `directory`/uploads/ and returns its
  path (None outside Colab, or when nothing was chosen).

  Raises:
    ValueError: (one line) the upload is not a MIDI file with notes.
  """
  files = _colab_files()
  if files is None:
    log('Not in Colab: set PRIMER_MIDI to the path of a MIDI file instead.')
    return None
  uploaded = files.upload()  # {file name: bytes}
  midi = [name for name in uploaded
          if name.lower().endswith(tokenizer.MIDI_SUFFIXES)]
  if not midi:
    if uploaded:
      raise ValueError(f'{", ".join(uploaded)} is not a .mid / .midi file; '
                       'upload a MIDI file.')
    log('Nothing uploaded; using PRIMER_MIDI.')
    return None
  name = os.path.basename(midi[0])
  try:  # Checked before it is kept.
    tokenizer.encode_midi(uploaded[midi[0]])
  except ValueError as e:
    raise ValueError(f'{name} is not a readable MIDI file ({e}); upload '
                     'another.') from e
  path = os.path.join(directory, 'uploads', name)
  os.makedirs(os.path.dirname(path), exist_ok=True)
  atomic_files.write_bytes(path, uploaded[midi[0]])
  log(f'primer: {path}' + (f' (of {len(midi)} MIDI files, the first)'
                           if len(midi) > 1 else ''))
  return path


def archive(directory: str, folders: Sequence[str],
            name: str = 'results') -> str:
  """`directory`/`name`.zip holding the existing `folders` of `directory`.

  Raises:
    FileNotFoundError: none of the folders exists.
  """
  present = [f for f in folders if os.path.isdir(os.path.join(directory, f))]
  if not present:
    raise FileNotFoundError(f'None of {", ".join(folders)} is in {directory}; '
                            'run the cells that write them first.')
  final = os.path.join(directory, f'{name}.zip')
  with tempfile.TemporaryDirectory() as scratch:
    staging = os.path.join(scratch, name)
    for folder in present:
      shutil.copytree(os.path.join(directory, folder),
                      os.path.join(staging, folder))
    made = shutil.make_archive(os.path.join(scratch, name), 'zip', scratch,
                               name)
    with atomic_files.path(final) as temporary:
      shutil.copyfile(made, temporary)
  return final


def download(path: str, log=print) -> None:
  """Starts the browser's download of `path` in Colab; elsewhere says where
  the file is."""
  files = _colab_files()
  if files is None:
    log(f'Not in Colab: the results are in {os.path.abspath(path)}')
    return
  files.download(path)
