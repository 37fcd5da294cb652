r"""Held notes and note lengths of bench_gan.py's samples beside real music's.

  python bench/bench_note_lengths.py --work_dir runs/bench_gan \
      --genre classical --seeds 0,1,2,3,4 --arms Bn@1.0~5,Bn@1.0~5^0.5:0.7 \
      --split test --data_dir D --real corpus_genre/small:train,validation,test

The report's "real" row is crops of the held-out split that is not the
C2ST reference, so a test report shows validation music's held time beside
the samples'. Held notes are rare and come a few pieces at a time, so one
small split can read far from another (`small`'s classical validation and
test splits hold 15 and 16 pieces). This script measures every --real split
of the genre the same way, with intervals over pieces, beside each arm's
samples pooled over --seeds (the reports of --split; no sampling, no
training): held notes (> features.HELD_SECONDS / all notes), held time (the
share of a sequence's time in which such a note sounds), and the shares of
notes longer than 1 s and 2 s. Real crops are as long as the samples' median
and as many as the samples. Prints a table; `--json`: the last line is a
JSON object with `rows`.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import json

import numpy as np

import bench_pooled_reference  # bench/bench_pooled_reference.py
import tables  # bench/tables.py
from genre_transformer_gan import datasets
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.evaluation import intervals
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import report

LONGER_THAN = (1.0, 2.0)  # seconds: the note-length shares shown


def note_lengths(token_lists, groups=None, seed: int = 0) -> dict:
  """The measures of one set of sequences, each with its interval (over
  sequences, or over pieces with `groups`: int [len(token_lists)])."""
  row = {}
  row['held_note_share'], row['held_note_share_interval'] = (
      report.held_note_share(token_lists, seed, groups))
  row['held_time_share'], row['held_time_share_interval'] = (
      report.held_time_share(token_lists, seed, groups))
  durations = [notes_lib.notes_of_tokens(t).duration for t in token_lists]
  counts = np.array([len(d) for d in durations], np.float64)
  for seconds in LONGER_THAN:
    longer = np.array([np.sum(d > seconds) for d in durations], np.float64)
    key = f'longer_than_{seconds:g}s'
    row[key] = float(longer.sum() / max(counts.sum(), 1.0))
    row[f'{key}_interval'] = intervals.ratio(longer, counts, groups, seed)
  return row


def main():
  parser = bench_pooled_reference.saved_samples_parser(
      __doc__.split('\n')[0])
  parser.add_argument('--split', default='validation',
                      choices=('validation', 'test'),
                      help="whose reports' samples: --split of bench_gan.py")
  parser.add_argument('--real', default='corpus_genre/small:train,'
                      'validation,test',
                      help='dataset:split[,split...] of the real rows')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  seeds = [int(s) for s in args.seeds.split(',')]
  rows, length = [], None
  for arm in args.arms.split(','):
    samples = sum((bench_pooled_reference.saved_samples(
        args.work_dir, seed, args.genre, arm, args.split)
                   for seed in seeds), [])
    length = length or int(np.median([len(t) for t in samples]))
    rows.append({'set': arm, 'sequences': len(samples),
                 **note_lengths(samples)})
  name, _, splits = args.real.partition(':')
  music = real_data.RealMusic(datasets.get_builder(
      name, data_dir=args.data_dir, build=False))
  for split in splits.split(','):
    pieces = music.tokens(split, args.genre)
    crops, groups = real_data.crops_in_turn(pieces, length,
                                            max(rows[0]['sequences'],
                                                len(pieces)), 0)
    rows.append({'set': f'real ({split}, {len(pieces)} pieces)',
                 'sequences': len(crops), **note_lengths(crops, groups)})
  columns = ('held_note_share', 'held_time_share',
             *(f'longer_than_{s:g}s' for s in LONGER_THAN))
  print(f'{args.genre}, {args.split} samples of seeds {args.seeds}; '
        f'real crops of {length} tokens; 95 % intervals over sequences '
        '(samples) or pieces (real).')
  print('| set | n | ' + ' | '.join(columns) + ' |')
  print('|' + '---|' * (len(columns) + 2))
  for row in rows:
    print(f'| {row["set"]} | {row["sequences"]} | ' + ' | '.join(
        tables.with_interval(row, key) for key in columns) + ' |')
  if args.json:
    print(json.dumps({'genre': args.genre, 'split': args.split,
                      'rows': rows}))


if __name__ == '__main__':
  main()
