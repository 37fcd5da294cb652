r"""Can the frozen adversary see what the independent evaluator rejects?

  python bench/bench_adversary_checks.py --genre folk \
      --samples runs/bench_gan/models/seed0_folk_B/report/samples \
      --classifier_path runs/bench_gan/models/classifier/<dataset>_small \
      --evaluator_dir runs/bench_gan/models/evaluator/<dataset> --json

Cheap checks before training any adversarial arm, on one arm's report
samples (.npy tokens):

  auc_accepted_vs_rejected: the AUC of the classifier's p(genre) for the
    samples the evaluator judges the genre against those it rejects as not
    music (0.5: the adversary cannot tell them apart, so its gradient cannot
    fix what the evaluator rejects; 1: it ranks every accepted sample
    above every rejected one). Also for a K+1 classifier's p(generated)
    with --generated_classifier_path (there 0 is the informative end).
  prefix rows: fidelity and reject rate of the whole samples and of their
    first --prefix tokens (is a low fidelity partly a length artefact of
    long samples judged against short pieces?).
"""

import argparse
import glob
import json
import os

import numpy as np

import machine  # bench/machine.py
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier


def auc(positive, negative) -> float:
  """P(a positive scores above a negative), ties counted half (None if a
  side is empty): the Mann-Whitney AUC."""
  positive, negative = np.asarray(positive), np.asarray(negative)
  if not len(positive) or not len(negative):
    return None
  above = (positive[:, None] > negative[None, :]).mean()
  ties = (positive[:, None] == negative[None, :]).mean()
  return float(above + 0.5 * ties)


def verdict_shares(evaluator, token_lists, genre) -> dict:
  judged = evaluator.verdicts(token_lists)['judged']
  target = evaluator.genres.index(genre)
  return {'fidelity': float(np.mean(judged == target)),
          'reject_rate': float(np.mean(judged == evaluator_lib.REJECTED)),
          'judged': judged, 'target': target}


def checks(samples, genre, evaluator, classifier, generated_classifier=None,
           prefix=256) -> dict:
  """The checks above for token sequences `samples` of `genre`."""
  whole = verdict_shares(evaluator, samples, genre)
  accepted = whole['judged'] == whole['target']
  rejected = whole['judged'] == evaluator_lib.REJECTED
  p_genre = genre_classifier.probabilities(classifier, samples)[
      :, classifier.genres.index(genre)]
  result = {'samples': len(samples), 'accepted': int(accepted.sum()),
            'rejected': int(rejected.sum()),
            'classifier_p_accepted': float(p_genre[accepted].mean())
                                     if accepted.any() else None,
            'classifier_p_rejected': float(p_genre[rejected].mean())
                                     if rejected.any() else None,
            'auc_accepted_vs_rejected': auc(p_genre[accepted],
                                            p_genre[rejected])}
  if generated_classifier is not None:
    p_generated = genre_classifier.probabilities(
        generated_classifier, samples)[:, -1]
    result['generated_p_accepted_vs_rejected_auc'] = auc(
        p_generated[accepted], p_generated[rejected])
  short = verdict_shares(evaluator, [s[:prefix] for s in samples], genre)
  result['whole'] = {k: whole[k] for k in ('fidelity', 'reject_rate')}
  result[f'first_{prefix}'] = {k: short[k] for k in ('fidelity',
                                                     'reject_rate')}
  return result


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--samples', required=True)
  parser.add_argument('--genre', required=True)
  parser.add_argument('--classifier_path', required=True)
  parser.add_argument('--generated_classifier_path', default=None)
  parser.add_argument('--evaluator_dir', required=True)
  parser.add_argument('--prefix', type=int, default=256)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  paths = sorted(glob.glob(os.path.join(args.samples, '*.npy')))
  if not paths:
    raise SystemExit(f'No .npy samples in {args.samples}.')
  samples = [np.load(path) for path in paths]
  evaluator = evaluator_lib.FeatureEvaluator.load(args.evaluator_dir,
                                                  [args.genre])
  classifier = classifier_io.load_classifier(args.classifier_path,
                                             genres=[args.genre])
  generated = (classifier_io.load_classifier(args.generated_classifier_path,
                                             genres=[args.genre])
               if args.generated_classifier_path else None)
  result = checks(samples, args.genre, evaluator, classifier, generated,
                  args.prefix)
  for key, value in result.items():
    print(f'{key}: {value}')
  if args.json:
    print(json.dumps({'samples_dir': args.samples, 'genre': args.genre,
                      **result, **machine.describe()}))


if __name__ == '__main__':
  main()
