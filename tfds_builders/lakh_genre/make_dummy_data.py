r"""Regenerates dummy_data/ for lakh_genre_dataset_builder_test.py.

  python tfds_builders/lakh_genre/make_dummy_data.py

dummy_data/lakh: a Lakh-shaped manual_dir (generated MIDI, never Lakh files).
"""

import json
import os
import shutil

from genre_transformer_gan.testing import synthetic_lakh

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dummy_data')


def main():
  shutil.rmtree(_HERE, ignore_errors=True)
  expected = synthetic_lakh.write_fake_lakh(
      os.path.join(_HERE, 'lakh'), num_files=6, notes_per_file=16, seed=7)
  for name in synthetic_lakh.LABEL_FILES[1:]:  # The test builds the default.
    os.remove(os.path.join(_HERE, 'lakh', name))
  print(json.dumps(expected, indent=1))


if __name__ == '__main__':
  main()
