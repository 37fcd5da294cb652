"""The evaluation report: samples beside real music and negatives, per genre.

For each genre these rows are computed the same way, all with as many
sequences as the samples (at least MIN_REFERENCE) of the samples' median
length L:

  generated    the samples to judge;
  real (test)  crops of held-out test pieces of the genre;
  uniform, unigram, shuffled, drone
               negatives (negatives.py): noise, the genre's token
               frequencies, and the real row's crops shuffled or without
               note-offs. A measure that these pass measures nothing.

Measures of a row (flat keys of evaluation.json; `*_interval`: 95 %
intervals, intervals.py: Wilson for the shares of samples, BCa bootstraps
for means, over pieces for crops of real music; C2ST and Fréchet:
realism.py):

  fidelity           share judged the target genre by the independent
                     evaluator, rejects counted as failures;
  reject_rate        share the evaluator rejects (not music of any genre);
  evaluator_probability  its mean probability of the genre;
  classifier_probability, classifier_accuracy
                     the frozen classifier (the adversary: it cannot reject,
                     so read it next to reject_rate);
  c2st_accuracy      realism: a fresh classifier's cross-validated accuracy
                     telling the row from real **validation** music of the
                     genre (0.5: indistinguishable; realism.py);
  frechet_distance   between the row's and that reference's standardised
                     features, Ledoit-Wolf covariances (realism.py);
  held_note_share    notes longer than features.HELD_SECONDS (the drone);
  copied_share       share of the row's runs of copying.N_GRAM note steps
                     found in train-split music of the genre, and
                     longest_copy (median notes; copying.py): a generator
                     that learnt its pieces by heart stands above real;
  feature_distance   mgeval overlap / KL per feature group, against real
                     train-split music of the genre;
  diversity          distinct n-grams, self-similarity;
  muspy              MusPy's metrics under MusPy's names (muspy_metrics.py):
                     pitch-class entropy, scale consistency, polyphony, ...;
  generator_nll      the generator on held-out real music of the genre
                     (generated row, when a checkpoint is given).
"""

import collections
import dataclasses
import os
from typing import List, Optional, Sequence

import numpy as np
import tensorflow as tf

from genre_transformer_gan import choices
from genre_transformer_gan.data import errors
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import copying
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import intervals
from genre_transformer_gan.evaluation import metrics
from genre_transformer_gan.evaluation import muspy_metrics
from genre_transformer_gan.evaluation import negatives
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism
from genre_transformer_gan.evaluation import realism_gate
from genre_transformer_gan.models import genre_classifier

TOKEN_SUFFIXES = ('.npy', '.txt')
MIN_REFERENCE = choices.MIN_REFERENCE
# Token values a sample file may hold: events, and genre tokens of up to
# this many genres (dropped); anything else is not this package's tokens.
MAX_GENRE_TOKENS = 64
# The judges need samples of at least this many event tokens (median) and
# notes: shorter ones cannot be told from anything, real music included.
MIN_SAMPLE_TOKENS = 16
MIN_SAMPLE_NOTES = 2
# Real held-out music judged below this fidelity means the judges fail on
# real music: the report says so loudly (report_format.sanity_warnings).
REAL_FIDELITY_FLOOR = 0.5
MAX_REAL = 200  # train-split crops the mgeval distances compare with


def read_samples(directory: str):
  """Event tokens of every sample file in `directory` (not recursive).

  .mid / .midi files are encoded with the tokenizer; .npy files hold an int
  array and .txt files whitespace-separated ints (genre, PAD and EOS tokens
  are dropped). Where a token file and a MIDI file share a name (as
  genre_gan_generate writes them), only the token file is read: it is what
  was generated, while MIDI cannot keep a note that is never closed (its
  open notes end at the file's end). Files that cannot be read are skipped
  and counted: `bad_token_file` (unreadable, or not integers),
  `tokens_out_of_vocabulary` (values outside this package's tokens),
  `no_events`, or the MIDI reader's reasons.

  Returns:
    ([(file name, int32 [n] tokens)] sorted by name, Counter of skip reasons).
  """
  samples, skipped = [], collections.Counter()
  names = sorted(tf.io.gfile.listdir(directory))
  token_stems = {os.path.splitext(n)[0] for n in names
                 if os.path.splitext(n)[1].lower() in TOKEN_SUFFIXES}
  for name in names:
    path = os.path.join(directory, name)
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    if suffix in tokenizer.MIDI_SUFFIXES and stem in token_stems:
      continue
    try:
      if suffix in tokenizer.MIDI_SUFFIXES:
        tokens = tokenizer.encode_midi(path)
      elif suffix == '.npy':
        with tf.io.gfile.GFile(path, 'rb') as f:
          tokens = np.load(f)
      elif suffix == '.txt':
        with tf.io.gfile.GFile(path) as f:
          tokens = np.array(f.read().split(), np.int64)
      else:
        continue
    except errors.UnreadableMidiError as e:
      skipped[e.reason] += 1
      continue
    except ValueError:
      skipped['bad_token_file'] += 1
      continue
    tokens = np.asarray(tokens)
    if tokens.dtype.kind not in 'iu':  # floats, strings, objects
      skipped['bad_token_file'] += 1
      continue
    tokens = tokens.astype(np.int64).ravel()
    if np.any((tokens < 0) |
              (tokens >= vocab.GENRE_OFFSET + MAX_GENRE_TOKENS)):
      skipped['tokens_out_of_vocabulary'] += 1
      continue
    tokens = tokens[(tokens >= vocab.NUM_RESERVED) &
                    (tokens < vocab.GENRE_OFFSET)].astype(np.int32)
    if len(tokens) == 0:
      skipped['no_events'] += 1
      continue
    samples.append((name, tokens))
  return samples, skipped


def _share(indicators, groups=None, seed: int = 0) -> tuple:
  """(share of true indicators, intervals.share), or (None, None)."""
  indicators = np.asarray(indicators, np.float64)
  if not len(indicators):
    return None, None
  return (float(indicators.mean()),
          intervals.share(indicators, groups, seed))


def held_note_share(token_lists, seed: int = 0, groups=None) -> tuple:
  """(notes held > HELD_SECONDS / all notes, BCa interval over sequences,
  or over pieces with groups)."""
  counts = []
  for tokens in token_lists:
    notes = notes_lib.notes_of_tokens(tokens)
    counts.append((np.sum(notes.duration > features.HELD_SECONDS),
                   len(notes)))
  counts = np.array(counts, np.float64).reshape(-1, 2)
  if counts[:, 1].sum() == 0:
    return None, None
  return (float(counts[:, 0].sum() / counts[:, 1].sum()),
          intervals.ratio(counts[:, 0], counts[:, 1], groups, seed))


def held_time_share(token_lists, seed: int = 0, groups=None) -> tuple:
  """(mean over sequences of features.held_time_share, BCa interval)."""
  shares = [features.held_time_share(notes_lib.notes_of_tokens(tokens))
            for tokens in token_lists]
  if not shares:
    return None, None
  return float(np.mean(shares)), intervals.mean(shares, groups, seed)


@dataclasses.dataclass
class Reference:
  """Real music of one genre that rows are compared with.

  Attributes:
    matrix: float [M, F] features of held-out (validation) crops.
    groups: [M] piece index of each crop (C2ST keeps pieces in one fold).
    split: the split they come from.
    train_matrix: float [K, F] features of train-split crops (mgeval).
    train_index: the train-split pieces' note steps (copying), or None.
    held_time_share, held_time_share_interval: the crops' held time (the
      samples' is judged against it; the real row is another split's).
  """
  matrix: np.ndarray
  groups: np.ndarray
  split: str
  train_matrix: np.ndarray
  train_index: Optional[copying.TrainingIndex] = None
  held_time_share: Optional[float] = None
  held_time_share_interval: Optional[list] = None

  def describe(self) -> str:
    """'test (64 crops, held time 0.029 [0.006, 0.073])'."""
    held = ''
    if self.held_time_share is not None:
      interval = self.held_time_share_interval
      held = f', held time {self.held_time_share:.3f}' + (
          f' [{interval[0]:.3f}, {interval[1]:.3f}]' if interval else '')
    return f'{self.split} ({len(self.matrix)} crops{held})'


def measure_set(token_lists, genre: str, evaluator, classifier,
          reference: Reference, groups=None, seed: int = 0) -> dict:
  """All measures of one set of event-token sequences for `genre`.

  Args:
    groups: a piece id per sequence (crops of real pieces), or None when
      each sequence is its own (samples, noise).
  """
  token_lists = list(token_lists)
  matrix = features.feature_matrix(token_lists)
  target = vocab.Vocabulary(evaluator.genres).genre_id(genre)
  judged = evaluator.verdicts_of_features(matrix)
  fidelity, fidelity_interval = _share(judged['judged'] == target, groups,
                                       seed)
  reject, reject_interval = _share(
      judged['judged'] == evaluator_lib.REJECTED, groups, seed)
  held, held_interval = held_note_share(token_lists, seed, groups)
  held_time, held_time_interval = held_time_share(token_lists, seed, groups)
  c2st = realism.c2st(matrix, reference.matrix, reference.groups,
                      sample_groups=groups, seed=seed)
  # Standardised like the gate (real training crops); else by the reference.
  gate = evaluator.gate
  mean, scale = ((gate.mean, gate.scale) if gate is not None else
                 (reference.matrix.mean(0),
                  np.maximum(reference.matrix.std(0), realism_gate.MIN_SCALE)))
  frechet = realism.frechet(matrix, reference.matrix, mean, scale, seed=seed)
  row = {'count': len(token_lists),
         'mean_length': float(np.mean([len(t) for t in token_lists])),
         'fidelity': fidelity, 'fidelity_interval': fidelity_interval,
         'reject_rate': reject, 'reject_rate_interval': reject_interval,
         'evaluator_probability': float(np.mean(
             judged['probabilities'][:, target])),
         'c2st_accuracy': c2st['accuracy'],
         'c2st_accuracy_interval': c2st['interval'],
         'frechet_distance': frechet['distance'],
         'frechet_distance_interval': frechet['interval'],
         'held_note_share': held, 'held_note_share_interval': held_interval,
         'held_time_share': held_time,
         'held_time_share_interval': held_time_interval,
         'classifier_probability': None, 'classifier_accuracy': None}
  if classifier is not None:
    probabilities = genre_classifier.probabilities(classifier,
                                                   token_lists)
    index = vocab.Vocabulary(classifier.genres).genre_id(genre)
    row['classifier_probability'] = float(np.mean(probabilities[:, index]))
    row['classifier_accuracy'] = float(np.mean(
        probabilities.argmax(-1) == index))
  row['feature_distance'] = metrics.feature_distances(reference.train_matrix,
                                                      matrix)
  row['diversity'] = metrics.diversity(token_lists)
  copied = (copying.measure(token_lists, reference.train_index, seed)
            if reference.train_index is not None else {})
  row['copied_share'] = copied.get('copied_share')
  row['copied_share_interval'] = copied.get('interval')
  row['longest_copy'] = copied.get('longest_copy')
  row['muspy'] = muspy_metrics.of_set(token_lists)
  return row


def reference_for(music: real_data.RealMusic, genre: str, length: int,
                  count: int, seed: int = 0,
                  split: str = 'validation') -> Reference:
  """Crops of `split` (train if the split has none) and train crops."""
  train = music.tokens('train', genre)
  held_out = music.tokens(split, genre) if split in music.splits else []
  if not held_out:
    split, held_out = 'train', train
  crops, groups = real_data.crops_in_turn(held_out, length, count, seed)
  train_crops, _ = real_data.crops_in_turn(
      train, length, min(MAX_REAL, 2 * len(train)), seed + 1)
  return Reference(features.feature_matrix(crops), groups, split,
                   features.feature_matrix(train_crops),
                   copying.TrainingIndex(train),
                   *held_time_share(crops, seed, groups))


def reference_size(samples: Sequence, num_reference: Optional[int] = None):
  """(length, count) of the reference crops a report draws for `samples`:
  the samples' median length, and num_reference or as many as the samples
  (at least MIN_REFERENCE)."""
  return (int(np.median([len(t) for t in samples])),
          num_reference or max(len(samples), MIN_REFERENCE))


def check_judgeable(samples: Sequence) -> None:
  """Raises ValueError (one line) for samples too short to be judged."""
  if not len(samples):
    raise ValueError('No samples to judge.')
  length = int(np.median([len(t) for t in samples]))
  notes = int(np.median([len(notes_lib.notes_of_tokens(t))
                         for t in samples]))
  if length < MIN_SAMPLE_TOKENS or notes < MIN_SAMPLE_NOTES:
    raise ValueError(
        f'The samples are too short to judge: a median of {length} tokens '
        f'and {notes} notes (the judges need {MIN_SAMPLE_TOKENS} tokens and '
        f'{MIN_SAMPLE_NOTES} notes); pass longer samples.')


def real_crops(music: real_data.RealMusic, genre: str, samples: Sequence,
               seed: int = 0, num_reference: Optional[int] = None,
               reference_split: str = 'validation'):
  """(split, crops, groups): the real row's music, as evaluate_genre takes
  it for these samples: crops of the held-out split that is not the
  reference (validation if there is no test split), as long as the samples'
  median."""
  length, count = reference_size(samples, num_reference)
  split = 'validation' if reference_split == 'test' else 'test'
  if split not in music.splits:
    split = 'validation'
  crops, groups = real_data.crops_in_turn(music.tokens(split, genre), length,
                                          count, seed + 2)
  return split, crops, groups


def evaluate_genre(genre: str, samples: Sequence, evaluator, classifier,
                   music: real_data.RealMusic, nll: Optional[float] = None,
                   seed: int = 0, num_reference: Optional[int] = None,
                   with_negatives: bool = True,
                   controls: Sequence = (),
                   reference_split: str = 'validation') -> List[dict]:
  """[generated, controls..., real (test), negatives...] rows for one genre.

  Args:
    controls: (name, samples, nll) of other generators judged the same way
      (the control arm: e.g. the MLE generator the GAN stage started from).
    reference_split: the held-out music the realism judges compare with
      ('validation' while choosing settings, 'test' to report); the real
      row is the other held-out split, so every row also gives the
      reference crops' held time (`reference_held_time_share`): held notes
      come a few pieces at a time, and one small split can hold far fewer
      than another.
  """
  length, count = reference_size(samples, num_reference)
  reference = reference_for(music, genre, length, count, seed,
                            reference_split)
  if len(reference.matrix) < realism.NUM_FOLDS:
    raise ValueError(
        f'Only {len(reference.matrix)} real {reference.split} crops of '
        f'{genre} of {length} tokens (the samples\' median): too few to '
        'judge realism; pass shorter samples or a dataset with more '
        f'{genre} music.')
  measure = lambda sets, groups=None: measure_set(
      sets, genre, evaluator, classifier, reference, groups, seed)
  rows = [dict(genre=genre, set='generated', generator_nll=nll,
               **measure(samples))]
  rows.extend(dict(genre=genre, set=name, generator_nll=control_nll,
                   **measure(list(control))) for name, control, control_nll
              in controls)
  split, crops, groups = real_crops(music, genre, samples, seed,
                                    num_reference, reference_split)
  if crops:
    rows.append(dict(genre=genre, set=f'real ({split})', generator_nll=None,
                     **measure(crops, groups)))
  if with_negatives:
    train = music.tokens('train', genre)
    for kind in negatives.KINDS:
      fakes = negatives.make(kind, train, count, length, seed + 3,
                             crops=crops)
      # Made from the real row's crops, they keep its pieces' groups; with
      # no held-out piece of the genre they come from fresh train crops.
      fake_groups = (groups if kind in ('shuffled', 'drone') and crops
                     else None)
      rows.append(dict(genre=genre, set=kind, generator_nll=None,
                       **measure(fakes, fake_groups)))
  for row in rows:
    row['reference'] = reference.describe()
    row['reference_split'] = reference.split
    row['reference_held_time_share'] = reference.held_time_share
  return rows


def headline(row: dict) -> dict:
  """The flat measures of one report row, as the benchmarks tabulate them."""
  keys = ('fidelity', 'fidelity_interval', 'reject_rate',
          'evaluator_probability', 'classifier_probability', 'c2st_accuracy',
          'c2st_accuracy_interval', 'frechet_distance',
          'frechet_distance_interval', 'held_note_share', 'held_time_share')
  result = {key: row.get(key) for key in keys}
  result.update(nll=row['generator_nll'],
                feature_overlap=row['feature_distance'].get(
                    'mean', {}).get('overlap'),
                distinct_4=row['diversity']['distinct_4'],
                self_similarity_4=row['diversity']['self_similarity_4'])
  return result
