r"""What does the two-sample test see? Feature groups ranked by importance.

  python bench/bench_c2st_features.py --data_dir data --genre early \
      --samples runs/b/seed0_early_B/report_1.0_cap5/samples,... \
      --split validation --json

A report's C2ST (evaluation/realism.py) is the out-of-fold accuracy of a
random forest telling the samples from crops of held-out real music. This
script pools the sample folders given (as the reports wrote them: the
tokens that were judged), draws as many crops of the --split music of the
genre as the reports do (as long as the samples' median, the pieces in
turn), and asks which of the evaluator's feature groups
(evaluation/features.FEATURE_GROUPS) the test relies on: with the same
grouped folds and forest as `realism.c2st`, each group's columns are
permuted together in the held-out fold, and the fall in accuracy is the
group's importance (mean over --repeats permutations). Then, for the
groups that matter, each feature's mean in the samples and in the real
crops, and their difference in the real crops' standard deviations: what
the samples have too much or too little of.

Permutation importance on held-out folds, not the forest's impurity
importance, which favours features with many distinct values.
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
from genre_transformer_gan.evaluation import realism_gate
from genre_transformer_gan.evaluation import report


def group_importance(samples: np.ndarray, reference: np.ndarray,
                     reference_groups, seed: int = 0,
                     repeats: int = 5) -> dict:
  """{feature group: mean fall in out-of-fold accuracy when its columns are
  permuted together}, for the forests and folds of realism.c2st (its
  c2st_folds, the same seed) on samples [N, F] against reference [M, F]."""
  _, x, y, fitted = realism.c2st_folds(samples, reference, reference_groups,
                                       seed=seed)
  rng = np.random.default_rng(seed + 1)  # The permutations.
  slices = features.group_slices()
  drops = {name: 0.0 for name in slices}
  for model, test in fitted:
    base = np.sum(model.predict(x[test]) == y[test])
    for name, columns in slices.items():
      for _ in range(repeats):
        shuffled = x[test].copy()
        shuffled[:, columns] = shuffled[rng.permutation(len(test))][:, columns]
        drops[name] += (base - np.sum(model.predict(shuffled) == y[test])) / (
            repeats * len(y))
  return dict(sorted(drops.items(), key=lambda item: -item[1]))


def feature_differences(samples: np.ndarray, reference: np.ndarray,
                        group: str) -> list:
  """[{'feature', 'samples', 'real', 'difference'}] for one group's
  features: means, and their difference in the real crops' std (at least
  realism_gate.MIN_SCALE)."""
  names = features.feature_names()
  rows = []
  for column in range(features.NUM_FEATURES)[features.group_slices()[group]]:
    real = reference[:, column]
    # As the report standardises: a feature constant in real music is
    # not divided by ~0.
    scale = max(float(real.std()), realism_gate.MIN_SCALE)
    rows.append({'feature': names[column],
                 'samples': float(samples[:, column].mean()),
                 'real': float(real.mean()),
                 'difference': float((samples[:, column].mean() - real.mean())
                                     / scale)})
  return rows


def _parse():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--dataset', default='corpus_genre/small')
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--genre', required=True)
  parser.add_argument('--samples', required=True,
                      help='Comma-separated folders of samples, pooled.')
  parser.add_argument('--split', default='validation',
                      choices=['validation', 'test'])
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--repeats', type=int, default=5)
  parser.add_argument('--top', type=int, default=4,
                      help='Groups whose features are listed.')
  parser.add_argument('--json', action='store_true')
  return parser.parse_args()


def main():
  args = _parse()
  samples, skipped = [], {}
  for folder in args.samples.split(','):
    read, skips = report.read_samples(folder)
    samples.extend(tokens for _, tokens in read)
    skipped.update(skips)
  music = real_data.RealMusic(datasets.get_builder(args.dataset,
                                                   data_dir=args.data_dir))
  length, count = report.reference_size(samples)
  crops, groups = real_data.crops_in_turn(
      music.tokens(args.split, args.genre), length, count, args.seed)
  sample_matrix = features.feature_matrix(samples)
  real_matrix = features.feature_matrix(crops)
  c2st = realism.c2st(sample_matrix, real_matrix, groups, seed=args.seed)
  importance = group_importance(sample_matrix, real_matrix, groups,
                                args.seed, args.repeats)
  print(f'{len(samples)} samples ({dict(skipped) or "none skipped"}) '
        f'against {len(crops)} {args.split} crops of {length} tokens: C2ST '
        f'{c2st["accuracy"]:.3f} {tables.cell(c2st["interval"])}')
  tables.print_markdown([{'group': name, 'importance': value}
                         for name, value in importance.items()],
                        ['group', 'importance'])
  differences = []
  for name in list(importance)[:args.top]:
    differences.extend(feature_differences(sample_matrix, real_matrix, name))
  print()
  tables.print_markdown(differences,
                        ['feature', 'samples', 'real', 'difference'])
  if args.json:
    print(json.dumps({'machine': machine.describe(), 'c2st': c2st,
                      'importance': importance,
                      'differences': differences}))


if __name__ == '__main__':
  main()
