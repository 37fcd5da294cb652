"""midi_folders builder test on generated dummy data (make_dummy_data.py)."""

import json

from etils import epath
import tensorflow_datasets as tfds

from genre_transformer_gan.data import example_lib
from tfds_builders.midi_folders import midi_folders_dataset_builder


class MidiFoldersTest(tfds.testing.DatasetBuilderTestCase):
  """One folder per genre, a broken file among them."""
  DATASET_CLASS = midi_folders_dataset_builder.Builder
  EXAMPLE_DIR = epath.Path(__file__).parent / 'dummy_data'
  SPLITS = {'train': 6}
  SKIP_CHECKSUMS = True

  def test_genres_and_skip_summary(self):
    with tfds.testing.tmp_dir() as data_dir:
      builder = midi_folders_dataset_builder.Builder(data_dir=data_dir)
      builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
          manual_dir=self.EXAMPLE_DIR))
      assert builder.info.features['genre'].names == ['classical',
                                                      'folk_rock']
      summary = json.loads((epath.Path(builder.data_dir) /
                            example_lib.SKIPPED_FILENAME).read_text())
      assert summary['skipped'] == {'unreadable': 1}


if __name__ == '__main__':
  tfds.testing.test_main()
