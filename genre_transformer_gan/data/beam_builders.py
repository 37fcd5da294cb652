"""Beam builders run locally, offline, unless the user chooses a runner.

Beam's default runner (`DirectRunner`, 2.77) first tries its Prism runner,
which it downloads from GitHub: offline, every build logs a failed download
before Beam falls back to its FnApiRunner. TFDS also prints a warning banner
when neither a runner nor pipeline options were given. So when a build names
no runner (no `runner=` in --beam_pipeline_options, no
`DownloadConfig.beam_runner`), the package's Beam builders pick the
FnApiRunner themselves; it still honours `direct_num_workers` and
`direct_running_mode`. A runner the user names is used as named. A builder
whose every example is costly (corpus_genre/full: music21 parsing) asks for
one worker process per core when the user gave no options at all.
"""

import dataclasses

from absl import logging
import tensorflow_datasets as tfds

from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import lakh_lib


def runner_chosen(download_config) -> bool:
  """True when `download_config` names a Beam runner (object or option)."""
  if download_config is None:
    return False
  if download_config.beam_runner is not None:
    return True
  options = download_config.beam_options
  if options is None:
    return False
  from apache_beam.options import pipeline_options  # pylint: disable=import-outside-toplevel
  return options.view_as(pipeline_options.StandardOptions).runner is not None


def local_runner_unless_chosen(download_config, workers: int = 1):
  """`download_config` (or a default one) with FnApiRunner if none chosen.

  Args:
    download_config: the build's, or None.
    workers: worker processes when the user gave no pipeline options at all
      (1: Beam's one in-process worker).
  """
  download_config = download_config or tfds.download.DownloadConfig()
  if runner_chosen(download_config):
    return download_config
  from apache_beam.runners.portability.fn_api_runner import fn_runner  # pylint: disable=import-outside-toplevel
  options = download_config.beam_options
  if options is None and workers > 1:
    from apache_beam.options import pipeline_options  # pylint: disable=import-outside-toplevel
    options = pipeline_options.PipelineOptions(
        direct_num_workers=workers, direct_running_mode='multi_processing')
  return dataclasses.replace(download_config, beam_options=options,
                             beam_runner=fn_runner.FnApiRunner())


def num_workers(download_config) -> int:
  """Worker processes a local build of `download_config` runs (>= 1)."""
  options = download_config.beam_options if download_config else None
  if options is None:
    return 1
  from apache_beam.options import pipeline_options  # pylint: disable=import-outside-toplevel
  workers = options.view_as(pipeline_options.DirectOptions).direct_num_workers
  return workers or 1


class LocalBeamRunnerMixin:
  """Put first in a Beam builder's bases: builds use FnApiRunner by default."""

  def _uses_beam(self) -> bool:
    """Whether this builder (config) generates with Beam."""
    return True

  def _default_workers(self) -> int:
    """Local worker processes when the user gave no Beam options."""
    return 1

  def download_and_prepare(self, *, download_config=None, **kwargs):
    if self._uses_beam():
      download_config = local_runner_unless_chosen(download_config,
                                                   self._default_workers())
      self._beam_workers = num_workers(download_config)
    return super().download_and_prepare(download_config=download_config,
                                        **kwargs)


class WorkItemsMixin(LocalBeamRunnerMixin):
  """A Beam builder of `lakh_lib.WorkItem`s (lakh_genre, midi_folders).

  Splits the items by md5, converts each in a Beam worker
  (`lakh_lib.convert_item`) and writes the skip and label counts.

  Attributes:
    HELD_OUT_MINIMUM, HELD_OUT_SMALLEST_GENRE: a genre of at least the
      latter many files keeps the former many in validation and in test
      (example_lib.splits_with_held_out_minimum); 0: the hash alone.
  """
  HELD_OUT_MINIMUM = 0
  HELD_OUT_SMALLEST_GENRE = 0

  def _work_item_splits(self, genres, items, problems):
    """Sets the genre names; {split: the PTransform of its examples}."""
    self.info.features['genre'].names = genres
    self._label_problems = dict(problems)
    logging.info('%s: %d files to convert, %d genres; label problems: %s',
                 self.name, len(items), len(genres), self._label_problems)
    genre_index = {genre: i for i, genre in enumerate(genres)}
    splits = example_lib.splits_with_held_out_minimum(
        items, self.HELD_OUT_MINIMUM, self.HELD_OUT_SMALLEST_GENRE)
    by_split = example_lib.group_by_split(items,
                                          lambda item: splits[item.md5])
    return {split: self._generate_examples(split_items, genre_index)
            for split, split_items in by_split.items()}

  def _generate_examples(self, items, genre_index):
    beam = tfds.core.lazy_imports.apache_beam
    return (beam.Create(items)
            | beam.FlatMap(lakh_lib.convert_item, genre_index=genre_index))

  def _process_pipeline_result(self, pipeline_result):
    example_lib.write_beam_skip_summary(
        self.data_dir, pipeline_result, extra=self._label_problems)
