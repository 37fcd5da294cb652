r"""The n-gram baseline on the embedded dataset: NLL, fidelity, diversity, speed.

  python bench/bench_ngram.py --json
  python bench/bench_ngram.py --genres classical,folk --order 3 \
      --num_samples 16 --sample_length 256 --classifier_path CLF

Per genre: fits models/ngram.py's model on the train split's pieces of the
genre, measures its NLL (nats/token) on the genre's test pieces, draws
samples from it (timed: tokens/s), and judges them with the same report as
the neural generators (evaluation/report.py: independent evaluator,
optional frozen classifier, mgeval feature overlap, diversity, and held-out
real music as the reference row).
"""

import argparse
import json
import time

import numpy as np

import machine  # bench/machine.py
from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.evaluation import report_format
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import ngram


def measure_ngram(music, genre, evaluator, classifier, num_samples,
                  sample_length, order=3, discount=0.75, seed=0):
  """Fits, measures and judges one genre's model; the report's rows."""
  train = [t for t, _ in music.pieces('train', [genre])]
  test = [t for t, _ in music.pieces('test', [genre])]
  start = time.time()
  model = ngram.NGramModel(order, discount).fit(train)
  fit_seconds = time.time() - start
  total, count = model.nll(test)
  rng = np.random.default_rng(seed)
  start = time.time()
  samples = [model.sample(sample_length, rng) for _ in range(num_samples)]
  tokens_per_second = num_samples * sample_length / (time.time() - start)
  rows = report.evaluate_genre(genre, samples, evaluator, classifier,
                               music, nll=total / count, seed=seed)
  for row in rows:
    row.update(order=order, fit_seconds=round(fit_seconds, 2),
               test_tokens=count,
               sampling_tokens_per_second=round(tokens_per_second, 1)
               if row['set'] == 'generated' else None)
  print(f'{genre}: fitted on {len(train)} pieces in {fit_seconds:.1f} s; '
        f'test NLL {total / count:.3f} nats/token over {count} tokens; '
        f'sampling {tokens_per_second:.0f} tokens/s', flush=True)
  return rows


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--dataset', default=datasets.DEFAULT_DATASET)
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--genres', default='classical,folk')
  parser.add_argument('--order', type=int, default=3)
  parser.add_argument('--discount', type=float, default=0.75)
  parser.add_argument('--num_samples', type=int, default=16)
  parser.add_argument('--sample_length', type=int, default=256)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--evaluator_dir', default='runs/evaluator/bench_ngram')
  parser.add_argument('--classifier_path', default=None)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  builder = datasets.get_builder(args.dataset, data_dir=args.data_dir)
  music = real_data.RealMusic(builder)
  vocabulary = datasets.get_vocabulary(builder)
  genres = args.genres.split(',')
  evaluator, _ = evaluator_lib.load_or_train(
      configs.get_config('small'), music, args.evaluator_dir, genres,
      seed=args.seed)
  classifier = classifier_io.load_classifier(
      args.classifier_path, vocabulary.genres, genres) if (
          args.classifier_path) else None
  rows = []
  for genre in genres:
    rows.extend(measure_ngram(music, genre, evaluator, classifier,
                            args.num_samples, args.sample_length, args.order,
                            args.discount, args.seed))
  print(report_format.markdown(rows))
  if args.json:
    print(json.dumps({'order': args.order, 'discount': args.discount,
                      'rows': rows, **machine.describe()}, default=float))


if __name__ == '__main__':
  main()
