"""lakh_genre builder tests on generated dummy data (make_dummy_data.py)."""

import json

from etils import epath
import tensorflow_datasets as tfds

from genre_transformer_gan.data import example_lib
from tfds_builders.lakh_genre import lakh_genre_dataset_builder

_DUMMY = epath.Path(__file__).parent / 'dummy_data'


class LakhGenreTagtraumTest(tfds.testing.DatasetBuilderTestCase):
  """Default config: labels, match scores, corrupt and drum-only files."""
  DATASET_CLASS = lakh_genre_dataset_builder.Builder
  BUILDER_CONFIG_NAMES_TO_TEST = ['tagtraum_cd2c']
  EXAMPLE_DIR = _DUMMY / 'lakh'
  SPLITS = {'train': 19, 'validation': 1, 'test': 2}
  SKIP_CHECKSUMS = True

  def test_skip_summary_and_genres(self):
    with tfds.testing.tmp_dir() as data_dir:
      builder = lakh_genre_dataset_builder.Builder(data_dir=data_dir)
      builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
          manual_dir=self.EXAMPLE_DIR))
      assert builder.info.features['genre'].names == ['jazz', 'new_age',
                                                      'pop_rock']
      summary = json.loads((epath.Path(builder.data_dir) /
                            example_lib.SKIPPED_FILENAME).read_text())
      assert summary == {
          'skipped': {'no_notes': 1, 'only_drums': 1, 'unreadable': 1},
          'labels': {'conflicting_genres': 1, 'conflicting_label': 1,
                     'malformed_label_line': 1, 'unlabeled_md5': 1}}


if __name__ == '__main__':
  tfds.testing.test_main()
