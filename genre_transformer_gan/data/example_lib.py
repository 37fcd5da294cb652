"""MIDI -> dataset example, shared by the `lakh_genre` and `corpus_genre` builders.

Both builders store the same features, so training reads either:

  tokens     int32 [num_events] event tokens (vocabulary.py; no genre token)
  genre      ClassLabel
  id         text: the Lakh md5, a file path, or a music21 corpus piece
  duration   float32 seconds (sum of the time shifts)
  num_notes  int32 melodic notes

A file that cannot become an example raises `SkipExample` with one reason
from SKIP_REASONS; builders count them (Beam counters `skipped/<reason>`) and
write the totals to `skipped.json` next to the prepared data.
"""

import collections
import hashlib
import json
import os
from typing import Dict, Mapping, Optional, Sequence

import numpy as np

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import errors
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab

# Why a file was left out, checked in this order. Label-file problems are
# counted by lakh_lib.
SKIP_REASONS = (
    'unreadable',          # not a MIDI file, corrupt, truncated, empty
    'unsupported_format',  # SMF format 2 (independent sequential patterns)
    'no_notes',            # readable, but without a single note
    'only_drums',          # every note is on the drum channel
    'absurd_tempo',        # a tempo outside MIN_QPM..MAX_QPM
    'too_many_notes',      # more than MAX_NOTES melodic notes
    'long_silence',        # no note starts or ends for MAX_SILENCE_SECONDS
    'too_long',            # longer than MAX_SECONDS or MAX_TOKENS
    'score_error',         # music21 could not parse or render a corpus score
)
MAX_SECONDS = 3600.0
MAX_TOKENS = 500_000
MAX_NOTES = 50_000
MIN_QPM, MAX_QPM = 10.0, 1000.0
MAX_SILENCE_SECONDS = 60.0
SKIPPED_FILENAME = 'skipped.json'

SPLITS = ('train', 'validation', 'test')
SPLIT_PERCENT = (90, 5, 5)


class SkipExample(Exception):
  """The file is left out of the dataset for `reason` (see SKIP_REASONS)."""

  def __init__(self, reason: str, detail: str = ''):
    super().__init__(f'{reason}: {detail}' if detail else reason)
    self.reason = reason


def hash_bucket(example_id: str) -> int:
  """0..99: where `split_of` places an id, the same on every machine."""
  return int(hashlib.md5(example_id.encode('utf-8')).hexdigest(), 16) % 100


def split_of(example_id: str, percent: Sequence[int] = SPLIT_PERCENT) -> str:
  """train/validation/test (percent, 90/5/5 by default) by a stable hash."""
  bucket = hash_bucket(example_id)
  if bucket < percent[0]:
    return SPLITS[0]
  if bucket < percent[0] + percent[1]:
    return SPLITS[1]
  return SPLITS[2]


def splits_with_held_out_minimum(items, minimum: int,
                                 smallest_genre: int) -> Dict[str, str]:
  """{item.md5: split}: `split_of` each item's md5, then, in every genre of
  at least `smallest_genre` items, `minimum` items in each held-out split
  (validation, then test): those it lacks move from train, the train items
  whose hash bucket is highest (nearest the held-out range) first, md5
  breaking ties. Only the items' md5s and genres decide, so every machine
  makes the same splits.

  A folder of 12 tunes split 90 / 5 / 5 by hash alone can leave no
  validation piece and one test piece, too few for the report's judges.
  """
  splits = {item.md5: split_of(item.md5) for item in items}
  if minimum <= 0:
    return splits
  by_genre = collections.defaultdict(list)
  for item in items:
    by_genre[item.genre].append(item.md5)
  for genre in sorted(by_genre):
    ids = by_genre[genre]
    if len(ids) < smallest_genre:
      continue
    train = sorted((i for i in ids if splits[i] == SPLITS[0]),
                   key=lambda i: (-hash_bucket(i), i))
    for split in SPLITS[1:]:
      lacking = max(minimum - sum(splits[i] == split for i in ids), 0)
      for md5 in train[:lacking]:
        splits[md5] = split
      train = train[lacking:]
  return splits


def group_by_split(items, split_of_item):
  """{split: [item]} by `split_of_item(item)`, leaving out empty splits.

  TFDS refuses a split without examples; a small `folders` collection can
  have none in validation or test, and then those splits are simply absent.
  """
  from absl import logging  # pylint: disable=import-outside-toplevel
  by_split = collections.defaultdict(list)
  for item in items:
    by_split[split_of_item(item)].append(item)
  missing = [s for s in SPLITS if not by_split[s]]
  if missing:
    logging.warning('No files fall in split(s) %s (by id hash); they are '
                    'left out.', ', '.join(missing))
  return {s: by_split[s] for s in SPLITS if by_split[s]}


def _shift_steps(tokens: np.ndarray) -> np.ndarray:
  """int [L]: each token's time shift in steps (0 for other events)."""
  is_shift = (tokens >= vocab.TIME_SHIFT_OFFSET) & (
      tokens < vocab.VELOCITY_OFFSET)
  return np.where(is_shift, tokens - vocab.TIME_SHIFT_OFFSET + 1, 0)


def duration_seconds(tokens: np.ndarray) -> float:
  """Seconds spanned by event tokens (the sum of their time shifts)."""
  return float(np.sum(_shift_steps(np.asarray(tokens)))) / (
      vocab.STEPS_PER_SECOND)


def first_seconds(tokens: np.ndarray, seconds: float) -> np.ndarray:
  """The shortest prefix of event tokens spanning at least `seconds` (all of
  them if they span less): it ends on the time shift that reaches it."""
  tokens = np.asarray(tokens)
  steps = np.cumsum(_shift_steps(tokens))
  reached = np.flatnonzero(steps >= round(seconds * vocab.STEPS_PER_SECOND))
  return tokens if not len(reached) else tokens[:reached[0] + 1]


def longest_silence_seconds(tokens: np.ndarray) -> float:
  """The longest time (s) in which no note starts or ends."""
  tokens = np.asarray(tokens)
  steps = _shift_steps(tokens)
  is_note_event = tokens < vocab.TIME_SHIFT_OFFSET  # NOTE_ON / NOTE_OFF
  gaps = np.bincount(np.cumsum(is_note_event), weights=steps)
  return float(gaps.max(initial=0.0)) / vocab.STEPS_PER_SECOND


def make_example(midi, genre, example_id: str,
                 max_seconds: float = MAX_SECONDS,
                 max_tokens: int = MAX_TOKENS,
                 max_notes: int = MAX_NOTES,
                 qpm_range=(MIN_QPM, MAX_QPM),
                 max_silence_seconds: float = MAX_SILENCE_SECONDS) -> Dict:
  """MIDI (path or bytes) -> feature dict.

  Args:
    midi: path or bytes of a MIDI file.
    genre: ClassLabel index (int) or name.
    example_id: stored as `id`.
    max_seconds: longer files are skipped as `too_long`.
    max_tokens: files with more event tokens are skipped as `too_long`.
    max_notes: files with more melodic notes are `too_many_notes`.
    qpm_range: files with a tempo outside it are `absurd_tempo`.
    max_silence_seconds: files where no note starts or ends for longer are
      `long_silence`.

  Raises:
    SkipExample: the file is unusable; `reason` (SKIP_REASONS) says why.
  """
  try:
    encoded = tokenizer.encode_midi_with_info(midi)
  except errors.UnreadableMidiError as e:
    raise SkipExample('unreadable', str(e)) from e
  if encoded.smf_format == 2:
    raise SkipExample('unsupported_format', 'SMF format 2')
  if not encoded.num_notes:
    raise SkipExample('only_drums' if encoded.num_drum_notes else 'no_notes')
  qpm = encoded.qpm
  if len(qpm) and (qpm.min() < qpm_range[0] or qpm.max() > qpm_range[1]):
    raise SkipExample('absurd_tempo', f'{qpm.min():.3g}..{qpm.max():.3g} qpm')
  if encoded.num_notes > max_notes:
    raise SkipExample('too_many_notes', f'{encoded.num_notes} notes')
  silence = longest_silence_seconds(encoded.tokens)
  if silence > max_silence_seconds:
    raise SkipExample('long_silence', f'{silence:.0f} s without a note')
  duration = duration_seconds(encoded.tokens)
  if duration > max_seconds or len(encoded.tokens) > max_tokens:
    raise SkipExample(
        'too_long', f'{duration:.0f} s, {len(encoded.tokens)} tokens')
  return {
      'tokens': encoded.tokens,
      'genre': genre,
      'id': example_id,
      'duration': np.float32(duration),
      'num_notes': np.int32(encoded.num_notes),
  }


def features(genres: Optional[Sequence[str]] = None,
             int16_tokens: bool = True):
  """The FeaturesDict of the builders.

  Args:
    genres: ClassLabel names; None when they are only known once the data is
      read (they are then set in `_split_generators`).
    int16_tokens: store the tokens as token_feature.TokenSequence (int16,
      zlib level 1: lakh_genre >= 1.3.0, midi_folders >= 1.1.0); False keeps
      the int32 zlib-6 Tensor of corpus_genre 1.3.0, whose judges in
      runs/ are keyed by that version. Readers get int32 tokens either way.
  """
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import token_feature  # pylint: disable=import-outside-toplevel
  tokens = (token_feature.TokenSequence() if int16_tokens else
            tfds.features.Tensor(shape=(None,), dtype=np.int32,
                                 encoding=tfds.features.Encoding.ZLIB))
  return tfds.features.FeaturesDict({
      'tokens': tokens,
      'genre': tfds.features.ClassLabel(names=genres),
      'id': tfds.features.Text(),
      'duration': np.float32,
      'num_notes': np.int32,
  })


def write_skip_summary(data_dir, counts: Mapping[str, int],
                       extra: Optional[Mapping[str, int]] = None) -> Dict:
  """Writes `skipped.json` ({reason: count}) into a prepared dataset dir."""
  summary = {'skipped': dict(sorted(collections.Counter(counts).items()))}
  if extra:
    summary['labels'] = dict(sorted(extra.items()))
  atomic_files.write_text(os.path.join(os.fspath(data_dir), SKIPPED_FILENAME),
                          json.dumps(summary, indent=2, sort_keys=True))
  return summary


def read_skip_summary(data_dir) -> Dict:
  """The `skipped.json` of a prepared dataset ({} if there is none)."""
  try:
    return atomic_files.read_json(
        os.path.join(os.fspath(data_dir), SKIPPED_FILENAME), 'skip count',
        'delete it (the counts of skipped files are then not shown)')
  except FileNotFoundError:
    return {}


def write_beam_skip_summary(data_dir, pipeline_result,
                            extra: Optional[Mapping[str, int]] = None) -> Dict:
  """Reads the `skipped/<reason>` Beam counters into `skipped.json`."""
  from apache_beam.metrics import metric  # pylint: disable=import-outside-toplevel
  from absl import logging  # pylint: disable=import-outside-toplevel
  counters = pipeline_result.metrics().query(
      metric.MetricsFilter().with_namespace('tfds'))['counters']
  counts = collections.Counter()
  for counter in counters:
    name = counter.key.metric.name
    if name.startswith('skipped/'):
      counts[name[len('skipped/'):]] += counter.committed or counter.attempted
  summary = write_skip_summary(data_dir, counts, extra)
  logging.info('Skipped files by reason: %s', summary)
  return summary
