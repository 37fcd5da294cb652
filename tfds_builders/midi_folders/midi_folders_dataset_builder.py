"""midi_folders: your own MIDI collection, one folder per genre, as tokens.

manual_dir/<genre>/**/*.mid (or .midi) becomes the same features as
lakh_genre (performance tokens, genre ClassLabel, id, duration, num_notes),
through the same Apache Beam conversion. It was lakh_genre's `folders`
config until lakh_genre 1.2.0; it is a builder of its own because its
manual_dir has another layout, and `tfds build lakh_genre` builds every
lakh_genre config from one manual_dir. See README.md in this folder.
"""

from etils import epath
import tensorflow_datasets as tfds

from genre_transformer_gan.data import beam_builders
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import lakh_lib

_MANUAL_DOWNLOAD_INSTRUCTIONS = """\
Put your MIDI collection in the manual_dir (default
~/tensorflow_datasets/downloads/manual/, or pass --manual_dir), one folder
per genre: manual_dir/<genre>/**/*.mid (or *.midi). The folder name is the
genre ("Folk Rock" becomes folk_rock).
"""


class Builder(beam_builders.WorkItemsMixin,
              tfds.core.GeneratorBasedBuilder):
  """Any MIDI collection, one folder per genre."""

  VERSION = tfds.core.Version('1.2.0')
  RELEASE_NOTES = {
      '1.0.0': 'Initial release: lakh_genre/folders 1.2.0 as a builder of '
               'its own (same examples, same skip rules).',
      '1.1.0': 'Same examples; tokens stored as zlib level-1 int16 '
               '(token_feature.TokenSequence), read back as int32.',
      '1.2.0': 'Same examples; a genre of 10 files or more keeps 2 of them '
               'in validation and 2 in test, moved from train where the '
               'hash left fewer (a small folder had too little held-out '
               'music to judge by).',
  }
  MANUAL_DOWNLOAD_INSTRUCTIONS = _MANUAL_DOWNLOAD_INSTRUCTIONS
  # A folder of a few dozen files per genre, split 90 / 5 / 5 by hash, can
  # leave a genre one held-out piece or none: the report's two-sample test
  # needs two pieces a side.
  HELD_OUT_MINIMUM = 2
  HELD_OUT_SMALLEST_GENRE = 10

  def _info(self) -> tfds.core.DatasetInfo:
    # Genre names are read from the folder names in _split_generators.
    return self.dataset_info_from_configs(
        features=example_lib.features(genres=None),
        supervised_keys=('tokens', 'genre'),
    )

  def _split_generators(self, dl_manager):
    manual_dir = epath.Path(dl_manager.manual_dir)
    genres, items, problems = lakh_lib.folder_work_items(manual_dir)
    if not items:
      raise ValueError(f'midi_folders: no MIDI file found under a genre '
                       f'folder of {manual_dir}.\n'
                       f'{_MANUAL_DOWNLOAD_INSTRUCTIONS}')
    return self._work_item_splits(genres, items, problems)
