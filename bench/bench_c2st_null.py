r"""What does C2ST read for a generator that draws the train music itself?

  python bench/bench_c2st_null.py --data_dir data --split test --seeds 10

A report's C2ST (evaluation/realism.py) holds each real piece's crops in
one fold and each sample in its own. Its real row judges crops of the
other held-out split, grouped by piece, against the same reference; with
few pieces that can read below 0.5, so "inside the real-against-real
interval" needs a check that it is a target a generator can reach. Here
an ideal generator's samples are crops of the train split, one from each
of --num_samples train pieces drawn at random, each its own group as
samples are: the two-sample test's null for a generator of the train
distribution. Per genre and reference split, over --seeds seeds (new
reference crops, pieces and offsets each):

- ideal: those crops against the reference;
- real: the report's real row (the other held-out split's crops, grouped
  by piece).

Prints mean [lowest, highest] over seeds; --json adds the per-seed values.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import json

import numpy as np

import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism


def ideal_samples(train, count: int, length: int, seed: int) -> list:
  """Crops of `length` of `count` train pieces (all if fewer), one each,
  the pieces and offsets drawn with `seed`: an ideal generator's samples."""
  rng = np.random.default_rng(seed)
  pieces = [train[i] for i in rng.permutation(len(train))[:count]]
  return real_data.crops_in_turn(pieces, length, len(pieces), seed + 1)[0]


def null_rows(music, genre: str, split: str, seeds: int, count: int = 64,
              length: int = 512) -> dict:
  """{'ideal': [C2ST per seed], 'real': [...]} for `genre` against crops
  of `split`, as a report draws them (`count` crops, the pieces in turn)."""
  other = 'validation' if split == 'test' else 'test'
  train = music.tokens('train', genre)
  rows = {'ideal': [], 'real': []}
  for seed in range(seeds):
    reference, groups = real_data.crops_in_turn(music.tokens(split, genre),
                                                length, count, seed)
    matrix = features.feature_matrix(reference)
    ideal = features.feature_matrix(ideal_samples(train, count, length,
                                                  seed + 100))
    rows['ideal'].append(realism.c2st(ideal, matrix, groups,
                                      seed=seed)['accuracy'])
    crops, crop_groups = real_data.crops_in_turn(
        music.tokens(other, genre), length, count, seed + 2)
    rows['real'].append(realism.c2st(
        features.feature_matrix(crops), matrix, groups,
        sample_groups=crop_groups, seed=seed)['accuracy'])
  return rows


def summary(values) -> str:
  """'0.493 [0.42, 0.55]': mean [lowest, highest]."""
  return f'{np.mean(values):.3f} [{min(values):.2f}, {max(values):.2f}]'


def _parse():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--dataset', default='corpus_genre/small')
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--genres', default='classical,folk,early')
  parser.add_argument('--splits', default='validation,test')
  parser.add_argument('--seeds', type=int, default=10)
  parser.add_argument('--num_samples', type=int, default=64)
  parser.add_argument('--sample_length', type=int, default=512)
  parser.add_argument('--json', action='store_true')
  return parser.parse_args()


def main():
  args = _parse()
  music = real_data.RealMusic(datasets.get_builder(args.dataset,
                                                   data_dir=args.data_dir))
  rows = []
  for split in args.splits.split(','):
    for genre in args.genres.split(','):
      values = null_rows(music, genre, split, args.seeds, args.num_samples,
                         args.sample_length)
      rows.append({'genre': genre, 'reference': split,
                   'ideal generator': summary(values['ideal']),
                   'real row': summary(values['real']), 'values': values})
  tables.print_markdown(rows, ['genre', 'reference', 'ideal generator',
                               'real row'])
  if args.json:
    print(json.dumps({'machine': machine.describe(), 'rows': rows}))


if __name__ == '__main__':
  main()
