r"""The Fréchet distance with the sample covariance and with Ledoit-Wolf.

  python bench/bench_frechet.py --evaluator_dir runs/bench_gan/models/evaluator/corpus_genre_small_1.3.0 \
      --set B=runs/bench_gan/models/seed0_folk_B/report_test/samples:folk --json

For each genre, the report's reference (64 crops of --length tokens of the
genre's validation pieces, seed 0) against: real test crops of the same
length (real against real), the shuffled negative, and every --set
(NAME=DIRECTORY[:GENRE], the `<genre>_NN.npy` samples a report saved).
Features are standardised by the evaluator's gate, as the report does.
Each distance is computed both ways on the same rows, with its bootstrap
interval, so the table shows what shrinkage changes: real against real
should drop the most (68 features from 64 rows make the sample covariance
rank-deficient), while a real gap must stay visible. Each Ledoit-Wolf
distance (its bootstrap included) is also timed against the same distance
with sklearn's `LedoitWolf` in place of `realism.ledoit_wolf` (the
oracle: the two must agree).
"""

import argparse
import json
import time

import numpy as np
from sklearn import covariance as sk_covariance

import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import negatives
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism
from genre_transformer_gan.evaluation import report


def saved_samples(directory, genre):
  """The `<genre>_NN` samples a report saved in `directory`."""
  read, _ = report.read_samples(directory)
  tokens = [t for name, t in read if name.startswith(f'{genre}_')]
  if not tokens:
    raise SystemExit(f'No {genre}_* samples in {directory}; pass a '
                     "report's samples/ directory.")
  return tokens


def _oracle_ledoit_wolf(rows):
  return np.atleast_2d(sk_covariance.LedoitWolf().fit(rows).covariance_)


def timed_frechet(matrix, reference, mean, scale, ledoit_wolf):
  """(realism.frechet with Ledoit-Wolf by `ledoit_wolf`, seconds)."""
  saved, realism.ledoit_wolf = realism.ledoit_wolf, ledoit_wolf
  try:
    began = time.perf_counter()
    result = realism.frechet(matrix, reference, mean, scale, seed=0)
    return result, time.perf_counter() - began
  finally:
    realism.ledoit_wolf = saved


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--dataset', default='corpus_genre/small')
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--evaluator_dir', required=True)
  parser.add_argument('--genres', default='classical,folk')
  parser.add_argument('--length', type=int, default=512)
  parser.add_argument('--count', type=int, default=64)
  parser.add_argument('--set', action='append', default=[],
                      help='NAME=DIRECTORY[:GENRE] of saved samples.')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  music = real_data.RealMusic(datasets.get_builder(args.dataset,
                                                   data_dir=args.data_dir))
  evaluator = evaluator_lib.FeatureEvaluator.load(args.evaluator_dir)
  mean, scale = evaluator.gate.mean, evaluator.gate.scale
  rows = []
  for genre in args.genres.split(','):
    reference = report.reference_for(music, genre, args.length, args.count,
                                      seed=0, split='validation')
    crops, _ = real_data.crops_in_turn(music.tokens('test', genre),
                                       args.length, args.count, 2)
    sets = [('real (test)', crops),
            ('shuffled', negatives.make('shuffled', music.tokens(
                'train', genre), args.count, args.length, 3, crops=crops))]
    for spec in args.set:
      name, _, place = spec.partition('=')
      directory, _, only = place.rpartition(':')
      if only not in music.genres:  # No genre given: the whole is a path.
        directory, only = place, ''
      if not only or only == genre:
        sets.append((name, saved_samples(directory, genre)))
    for name, tokens in sets:
      matrix = features.feature_matrix(list(tokens))
      row = {'genre': genre, 'set': name, 'rows': len(matrix),
             'reference_rows': len(reference.matrix)}
      sample = realism.frechet(matrix, reference.matrix, mean, scale,
                               seed=0, covariance='sample')
      closed, row['seconds'] = timed_frechet(
          matrix, reference.matrix, mean, scale, realism.ledoit_wolf)
      oracle, row['oracle_seconds'] = timed_frechet(
          matrix, reference.matrix, mean, scale, _oracle_ledoit_wolf)
      np.testing.assert_allclose(closed['interval'], oracle['interval'],
                                 rtol=1e-7)
      row['speedup'] = row['oracle_seconds'] / row['seconds']
      for covariance, result in (('sample', sample), ('ledoit_wolf', closed)):
        row[covariance] = result['distance']
        row[f'{covariance}_interval'] = result['interval']
      row['ratio'] = row['ledoit_wolf'] / max(row['sample'], 1e-9)
      rows.append(row)
      print(f'{genre} {name}: sample {row["sample"]:.1f}, '
            f'Ledoit-Wolf {row["ledoit_wolf"]:.1f}', flush=True)
  tables.print_markdown(rows, ('genre', 'set', 'rows', 'sample',
                               'ledoit_wolf', 'ratio', 'seconds',
                               'oracle_seconds', 'speedup'))
  if args.json:
    print(json.dumps({'machine': machine.describe(), 'rows': rows}))


if __name__ == '__main__':
  main()
