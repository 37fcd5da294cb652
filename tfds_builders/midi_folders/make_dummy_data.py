r"""Regenerates dummy_data/ for midi_folders_dataset_builder_test.py.

  python tfds_builders/midi_folders/make_dummy_data.py

dummy_data/<genre>/*.mid: generated MIDI (two styles) and one broken file.
"""

import os
import shutil

from genre_transformer_gan.testing import synthetic_midi

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dummy_data')


def main():
  shutil.rmtree(_HERE, ignore_errors=True)
  for style, genre in enumerate(['Classical', 'Folk Rock']):
    folder = os.path.join(_HERE, genre)
    os.makedirs(folder)
    for i in range(3):
      with open(os.path.join(folder, f'piece{i}.mid'), 'wb') as f:
        f.write(synthetic_midi.style_midi(style, seed=i, num_notes=16))
  with open(os.path.join(folder, 'broken.mid'), 'wb') as f:
    f.write(b'MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk')


if __name__ == '__main__':
  main()
