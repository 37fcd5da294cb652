"""corpus_genre: classical / folk / early music from the corpus inside music21.

No download: music21 ships the scores. See README.md in this folder for the
genre mapping, and genre_transformer_gan/data/corpus_lib.py for the code.
"""

import collections
import dataclasses
import functools
import multiprocessing
import os
import time
from typing import Optional

from absl import logging
import tensorflow_datasets as tfds

from genre_transformer_gan.data import beam_builders
from genre_transformer_gan.data import corpus_lib
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import midi_cache
from genre_transformer_gan.data import near_duplicates
from genre_transformer_gan.data import shipped_renderings

# A few hundred pieces per genre: 10 % held out each, so validation and test
# have ~15 pieces per genre in `small` (lakh_genre keeps 90 / 5 / 5).
SPLIT_PERCENT = (80, 10, 10)
# Under the TFDS download folder: music21's renderings (midi_cache.py).
MIDI_CACHE_FOLDER = 'corpus_genre_midi'


def renderings_folder(download_dir) -> str:
  """Where a build keeps music21's renderings, under its download folder
  (TFDS's is <data_dir>/downloads unless a DownloadConfig moves it)."""
  return os.path.join(os.fspath(download_dir), MIDI_CACHE_FOLDER)


def kept_renderings(data_dir) -> str:
  """renderings_folder of a build into data_dir with TFDS's download
  folder."""
  return renderings_folder(os.path.join(os.fspath(data_dir), 'downloads'))


def split_of(piece_id: str) -> str:
  return example_lib.split_of(piece_id, SPLIT_PERCENT)


@dataclasses.dataclass
class CorpusGenreConfig(tfds.core.BuilderConfig):
  """Which pieces to take.

  Attributes:
    max_per_genre: pieces per genre (None: all).
    max_file_bytes: leave out score files larger than this (None: keep all).
    use_beam: build with an Apache Beam pipeline (else a local process pool).
  """
  max_per_genre: Optional[int] = None
  max_file_bytes: Optional[int] = None
  use_beam: bool = False


def splits_of_keys(keys, reference_ids=()) -> dict:
  """{id: split} of {id: near-duplicate keys}: groups kept in one split.

  `reference_ids`: the pieces of `small`, whose splits `full` keeps
  (near_duplicates.splits_keeping_groups).
  """
  groups = near_duplicates.group_near_duplicates(keys)
  if groups:
    logging.info('corpus_genre: %d near-duplicate groups (%d pieces) kept in '
                 'one split each.', len(groups), sum(map(len, groups)))
  return near_duplicates.splits_keeping_groups(keys, split_of, reference_ids)


def split_with_near_duplicates(results, reference_ids=()) -> dict:
  """{key: split} of ('ok', key, example) results, groups kept together."""
  return splits_of_keys(
      {key: near_duplicates.keys_of_tokens(example['tokens'])
       for _, key, example in results}, reference_ids)


def small_piece_ids():
  """The ids of `small`'s pieces, whose splits `full` agrees with."""
  small = next(c for c in Builder.BUILDER_CONFIGS if c.name == 'small')
  return [piece.id for piece in corpus_lib.list_pieces(
      small.max_per_genre, small.max_file_bytes)]


_PROGRESS = {'count': 0, 'start': None}


def _log_progress(share: float, every: int = 100) -> None:
  """In a Beam worker: pieces done, rate and ETA of this worker's share."""
  if _PROGRESS['start'] is None:
    _PROGRESS['start'] = time.time()
  _PROGRESS['count'] += 1
  count = _PROGRESS['count']
  if count % every == 0:
    rate = count / max(time.time() - _PROGRESS['start'], 1e-9)
    logging.info('corpus_genre worker %d: %d pieces, %.1f pieces/s, ETA %.0f s '
                 '(its share is about %.0f pieces)', os.getpid(), count, rate,
                 max(share - count, 0) / rate, share)


class Builder(beam_builders.LocalBeamRunnerMixin,
              tfds.core.GeneratorBasedBuilder):
  """Genre-labelled performance tokens from music21's corpus."""

  VERSION = tfds.core.Version('1.3.0')  # `full` has its own (below)
  RELEASE_NOTES = {
      '1.0.0': 'Initial release.',
      '1.1.0': 'The skip rules of lakh_genre 1.1.0 (example_lib.make_example).',
      '1.2.0': 'Splits 80 / 10 / 10 (was 90 / 5 / 5: 3-11 held-out pieces '
               'per genre); near-duplicates (data/near_duplicates.py) share '
               'the split of their group\'s first id.',
      '1.3.0': 'One key sounds once: same-pitch notes that overlap are '
               'resolved before encoding (a re-struck key ends its earlier '
               'note, notes of one pitch starting on the same step merge), '
               'so no stream holds a NOTE_ON of a sounding pitch '
               '(midi_reference.one_key_per_pitch).',
  }
  BUILDER_CONFIGS = [
      CorpusGenreConfig(
          name='small', max_per_genre=150, max_file_bytes=20_000,
          description='150 pieces per genre from score files under 20 KB; '
          'builds in about a minute on 2 CPU cores.'),
      CorpusGenreConfig(
          name='full', use_beam=True, version=tfds.core.Version('1.4.0'),
          release_notes=dict(RELEASE_NOTES, **{
              '1.4.0': 'Near-duplicate groups share one split on the Beam '
                       'path too, and agree with `small`: no piece of '
                       '`small`\'s validation or test split, nor a '
                       'near-duplicate of one, is in `full`\'s train split '
                       '(near_duplicates.splits_keeping_groups). `small` is '
                       'unchanged (1.3.0).'}),
          description='Every piece of the mapped corpus folders, built with '
          'Apache Beam (pass --beam_pipeline_options to parallelise).'),
  ]
  DEFAULT_CONFIG_NAME = 'small'

  def _uses_beam(self) -> bool:
    return self.builder_config.use_beam

  def _default_workers(self) -> int:
    # music21 takes ~0.17 s a piece: every core pays for Beam's start-up.
    return multiprocessing.cpu_count()

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=example_lib.features(corpus_lib.GENRES,
                                       int16_tokens=False),
        supervised_keys=('tokens', 'genre'),
        homepage='https://www.music21.org/music21docs/about/referenceCorpus.html',
    )

  def _split_generators(self, dl_manager):
    # Nothing to download: the download folder keeps music21's renderings.
    cache_folder = renderings_folder(dl_manager.download_dir)
    pieces = corpus_lib.list_pieces(self.builder_config.max_per_genre,
                                    self.builder_config.max_file_bytes)
    cache = midi_cache.MidiCache(cache_folder)
    keys = [corpus_lib.rendering_key(p) for p in pieces]
    logging.info('corpus_genre: %d of %d pieces were rendered before (%s), '
                 '%d ship with the package; music21 renders the rest.',
                 sum(key in cache for key in keys), len(pieces), cache_folder,
                 sum(shipped_renderings.get(key) is not None for key in keys))
    if self.builder_config.use_beam:
      return self._beam_splits(pieces, cache_folder)
    results = self._process_locally(pieces, cache_folder)
    ok = [result for result in results.values() if result[0] == 'ok']
    splits = split_with_near_duplicates(ok)
    by_split = example_lib.group_by_split(ok, lambda r: splits[r[1]])
    return {split: self._generate_examples(split_results)
            for split, split_results in by_split.items()}

  def _process_locally(self, pieces, cache_folder):
    """Converts every piece with a process pool, logging progress."""
    results, skipped = {}, collections.Counter()
    start = time.time()
    # spawn, not fork: TensorFlow is already initialised in this process.
    context = multiprocessing.get_context('spawn')
    with context.Pool(multiprocessing.cpu_count()) as pool:
      results_in_order = pool.imap(
          functools.partial(corpus_lib.process_piece,
                            cache_folder=cache_folder), pieces, chunksize=4)
      for i, result in enumerate(results_in_order):
        if result[0] == 'skip':
          skipped[result[1]] += 1
          logging.info('Skipped %s (%s).', result[2], result[1])
        results[pieces[i].id] = result
        if (i + 1) % 50 == 0 or i + 1 == len(pieces):
          rate = (i + 1) / (time.time() - start)
          logging.info('corpus_genre: %d/%d pieces, %.1f pieces/s, ETA %.0f s',
                       i + 1, len(pieces), rate, (len(pieces) - i - 1) / rate)
    summary = example_lib.write_skip_summary(self.data_dir, skipped)
    logging.info('corpus_genre skipped: %s', summary['skipped'])
    return results

  def _generate_examples(self, results):
    """Local path: (key, example) of the ok results of one split."""
    for result in results:
      if result[0] == 'ok':
        yield result[1], result[2]

  def _beam_splits(self, pieces, cache_folder):
    """{split: PTransform}: one conversion shared by the three splits.

    Beam converts every piece once, gathers the near-duplicate keys of all
    of them, assigns splits (groups together, agreeing with `small`) and
    hands each split the examples assigned to it. TFDS applies each split's
    transform to the same pipeline; the first builds the shared part.
    """
    beam = tfds.core.lazy_imports.apache_beam
    # Beam hands each worker a contiguous part of the input; in list order
    # (genre by genre) one would get the 0.5 s scores, the other the 0.03 s
    # folk tunes. A stable-hash order mixes them.
    pieces = sorted(pieces, key=lambda p: corpus_lib.stable_hash(p.id))
    share = len(pieces) / getattr(self, '_beam_workers', 1)
    reference_ids = small_piece_ids()
    shared = {}

    def convert(piece):
      _log_progress(share)
      result = corpus_lib.process_piece(piece, cache_folder)
      if result[0] == 'ok':
        yield result[1], result[2]
      else:
        tfds.beam.inc_counter(f'skipped/{result[1]}')

    def examples_and_splits(pipeline):
      if pipeline not in shared:
        examples = (pipeline | 'Pieces' >> beam.Create(pieces)
                    | 'Convert' >> beam.FlatMap(convert))
        splits = (
            examples
            | 'Keys' >> beam.Map(lambda item: (
                item[0], near_duplicates.keys_of_tokens(item[1]['tokens'])))
            | 'AllKeys' >> beam.combiners.ToDict()
            | 'AssignSplits' >> beam.Map(splits_of_keys, reference_ids))
        shared[pipeline] = examples, beam.pvalue.AsSingleton(splits)
      return shared[pipeline]

    def in_split(item, splits, split):
      return splits[item[0]] == split

    @beam.ptransform_fn
    def split_examples(pbegin, split):
      examples, splits = examples_and_splits(pbegin.pipeline)
      return examples | 'InSplit' >> beam.Filter(in_split, splits, split)

    # Splits by hash decide which exist (TFDS refuses an empty one).
    return {split: split_examples(split)  # pylint: disable=no-value-for-parameter
            for split in example_lib.group_by_split(
                pieces, lambda piece: split_of(piece.id))}

  def _process_pipeline_result(self, pipeline_result):
    example_lib.write_beam_skip_summary(self.data_dir, pipeline_result)
