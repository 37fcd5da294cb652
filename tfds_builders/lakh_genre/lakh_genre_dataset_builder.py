"""lakh_genre: the Lakh MIDI Dataset as performance tokens with genre labels.

The work is an Apache Beam pipeline, so one machine scales with
`--beam_pipeline_options="direct_num_workers=2,direct_running_mode=multi_processing"`
and a cluster with Dataflow / Flink / Spark. Every config reads the same
manual_dir, so `tfds build lakh_genre` (every config) works once all four
label files are there; your own MIDI folders are the `midi_folders` builder.
Label and file logic lives in genre_transformer_gan/data/lakh_lib.py; see
README.md in this folder.
"""

import dataclasses

from etils import epath
import tensorflow_datasets as tfds

from genre_transformer_gan.data import beam_builders
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import lakh_lib

_MANUAL_DOWNLOAD_INSTRUCTIONS = """\
Put these in the manual_dir (default ~/tensorflow_datasets/downloads/manual/,
or pass --manual_dir):

  lmd_matched.tar.gz    from https://colinraffel.com/projects/lmd/ ("LMD-matched");
                        the archive itself, or extracted as lmd_matched/
                        (files lmd_matched/R/R/U/TRRRUxxx.../<md5>.mid)
  match_scores.json     from the same page ({msd_id: {md5: score}})
  the genre label file of each config you build (all four for
  `tfds build lakh_genre`, which builds every config):
    msd_tagtraum_cd2c.cls           config tagtraum_cd2c (default)
    msd_tagtraum_cd1.cls            config tagtraum_cd1
    msd_tagtraum_cd2.cls            config tagtraum_cd2
                                    (tagtraum: https://www.tagtraum.com/msd_genre_datasets.html)
    msd-MAGD-genreAssignment.cls    config magd, the one with Classical
                                    (http://www.ifs.tuwien.ac.at/mir/msd/)

Your own MIDI collection, one folder per genre, is the `midi_folders` builder.
"""


@dataclasses.dataclass
class LakhGenreConfig(tfds.core.BuilderConfig):
  """Where the genre labels come from.

  Attributes:
    label_file: label file name in manual_dir.
  """
  label_file: str = ''


class Builder(beam_builders.WorkItemsMixin,
              tfds.core.GeneratorBasedBuilder):
  """Lakh MIDI (LMD-matched) tokens with tagtraum / MAGD genre labels."""

  VERSION = tfds.core.Version('1.3.0')
  RELEASE_NOTES = {
      '1.0.0': 'Initial release.',
      '1.1.0': 'Skips SMF format 2, absurd tempi, over 50,000 notes and '
               'a minute without a note (each counted by reason in '
               'skipped.json); counts labels without a match.',
      '1.2.0': 'One key sounds once: same-pitch notes that overlap are '
               'resolved before encoding (a re-struck key ends its earlier '
               'note, notes of one pitch starting on the same step merge), '
               'so no stream holds a NOTE_ON of a sounding pitch '
               '(midi_reference.one_key_per_pitch).',
      '1.3.0': 'Same examples; tokens stored as zlib level-1 int16 '
               '(token_feature.TokenSequence), read back as int32: a tenth '
               'of the compression time, 5 % fewer bytes.',
  }
  MANUAL_DOWNLOAD_INSTRUCTIONS = _MANUAL_DOWNLOAD_INSTRUCTIONS
  BUILDER_CONFIGS = [
      LakhGenreConfig(name='tagtraum_cd2c', label_file='msd_tagtraum_cd2c.cls',
                      description='tagtraum CD2C (consensus) majority genre.'),
      LakhGenreConfig(name='tagtraum_cd1', label_file='msd_tagtraum_cd1.cls',
                      description='tagtraum CD1 majority genre.'),
      LakhGenreConfig(name='tagtraum_cd2', label_file='msd_tagtraum_cd2.cls',
                      description='tagtraum CD2 majority genre.'),
      LakhGenreConfig(name='magd', label_file='msd-MAGD-genreAssignment.cls',
                      description='MSD Allmusic Genre Dataset (has Classical).'),
  ]
  DEFAULT_CONFIG_NAME = 'tagtraum_cd2c'

  def _info(self) -> tfds.core.DatasetInfo:
    # Genre names are read from the label file in _split_generators.
    return self.dataset_info_from_configs(
        features=example_lib.features(genres=None),
        supervised_keys=('tokens', 'genre'),
        homepage='https://colinraffel.com/projects/lmd/',
    )

  def _manual_error(self, problem: str) -> ValueError:
    return ValueError(f'lakh_genre/{self.builder_config.name}: {problem}\n'
                      f'{_MANUAL_DOWNLOAD_INSTRUCTIONS}')

  def _missing_label_file(self, manual_dir: epath.Path) -> ValueError:
    """Names the configs whose label files are there, to build instead."""
    present = [c.name for c in self.BUILDER_CONFIGS
               if (manual_dir / c.label_file).exists()]
    problem = f'{self.builder_config.label_file} is not in {manual_dir}'
    if not present:
      return self._manual_error(problem + '.')
    commands = ' or '.join(f'`tfds build lakh_genre/{name}`'
                           for name in present)
    return ValueError(
        f'lakh_genre/{self.builder_config.name}: {problem}; build a config '
        f'whose label file is there instead: {commands} (or add '
        f'{self.builder_config.label_file}).')

  def _midi_root(self, dl_manager, manual_dir: epath.Path) -> epath.Path:
    if (manual_dir / 'lmd_matched').is_dir():
      return manual_dir / 'lmd_matched'
    archive = manual_dir / 'lmd_matched.tar.gz'
    if archive.exists():
      extracted = epath.Path(dl_manager.extract(archive))
      if (extracted / 'lmd_matched').is_dir():
        return extracted / 'lmd_matched'
      return extracted
    raise self._manual_error(
        f'neither lmd_matched/ nor lmd_matched.tar.gz is in {manual_dir}.')

  def _split_generators(self, dl_manager):
    manual_dir = epath.Path(dl_manager.manual_dir)
    config = self.builder_config
    if not (manual_dir / 'match_scores.json').exists():
      raise self._manual_error(f'match_scores.json is not in {manual_dir}.')
    if not (manual_dir / config.label_file).exists():
      raise self._missing_label_file(manual_dir)
    genres, items, problems = lakh_lib.lakh_work_items(
        self._midi_root(dl_manager, manual_dir),
        manual_dir / 'match_scores.json', manual_dir / config.label_file)
    if not items:
      raise self._manual_error(f'no labelled MIDI file found in {manual_dir}.')
    return self._work_item_splits(genres, items, problems)
