r"""Regenerates dummy_data/ for lakh_genre_dataset_builder_test.py.

  python tfds_builders/lakh_genre/make_dummy_data.py

dummy_data/lakh: a Lakh-shaped manual_dir (generated MIDI, never Lakh files).
dummy_data/folders: manual_dir/<genre>/*.mid for the `folders` config.
"""

import json
import os
import shutil

from genre_transformer_gan.testing import synthetic_lakh
from genre_transformer_gan.testing import synthetic_midi

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dummy_data')


def main():
  shutil.rmtree(_HERE, ignore_errors=True)
  expected = synthetic_lakh.write_fake_lakh(
      os.path.join(_HERE, 'lakh'), num_files=6, notes_per_file=16, seed=7)
  for name in synthetic_lakh.LABEL_FILES[1:]:  # The test builds the default.
    os.remove(os.path.join(_HERE, 'lakh', name))
  for style, genre in enumerate(['Classical', 'Folk Rock']):
    folder = os.path.join(_HERE, 'folders', genre)
    os.makedirs(folder)
    for i in range(3):
      with open(os.path.join(folder, f'piece{i}.mid'), 'wb') as f:
        f.write(synthetic_midi.style_midi(style, seed=i, num_notes=16))
  with open(os.path.join(folder, 'broken.mid'), 'wb') as f:
    f.write(b'MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk')
  print(json.dumps(expected, indent=1))


if __name__ == '__main__':
  main()
