r"""Calibrating the judges: real music, negatives and generators, per genre.

  python bench/bench_judges.py --json
  python bench/bench_judges.py --num_samples 64 --length 512 \
      --model mle=runs/small/checkpoints/ckpt-300 \
      --model quickstart=runs/small/adversarial_classical:classical \
      --classifier_path runs/classifier/corpus_genre_small_1.2.0_small

For every genre of the dataset, rows judged by the same report as
`genre_gan_evaluate` (evaluation/report.py), each with --num_samples
sequences of --length tokens: held-out real test music, the four negatives
(uniform, unigram, shuffled, drone), a trigram of the genre
(models/ngram.py), and every --model (NAME=PATH, or NAME=PATH:GENRE to
limit it to one genre; plain sampling at temperature 1), the generators with
their NLL on the genre's test music. Then, on real test
crops of --length tokens, the permutation importance of each feature group
for the evaluator's genre decisions, and a check of what velocity would
carry: the same genre classifier trained with and without velocity
features (music21 renders most classical and early scores at one velocity).
"""

import argparse
import json
import time

import numpy as np
from sklearn import inspection

import machine  # bench/machine.py
from genre_transformer_gan import configs
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.evaluation import negatives
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.evaluation import report_format
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import ngram


def _model_samples(path, music, genre, count, length, seed):
  """(samples, NLL on the genre's test music) of a trained generator."""
  model, config, checkpoint = generator_io.load_generator(path)
  token = vocab.Vocabulary(checkpoint.genres).genre_token(genre)
  prompts = np.full([count, 1], token, np.int32)
  samples = list(sampling.Sampler(model).generate(prompts, length,
                                                  seed=seed)[:, 1:])
  return samples, likelihood.genre_nll(model, config, music, genre)


def _trigram_samples(music, genre, count, length, seed):
  """(samples, NLL on the genre's test music) of a trigram of the genre."""
  train = [t for t, _ in music.pieces('train', [genre])]
  test = [t for t, _ in music.pieces('test', [genre])]
  model = ngram.NGramModel(3, 0.75).fit(train)
  rng = np.random.default_rng(seed)
  total, count_tokens = model.nll(test)
  return ([model.sample(length, rng) for _ in range(count)],
          total / count_tokens)


def _velocity_features(token_lists):
  rows = []
  for tokens in token_lists:
    velocity = notes_lib.notes_of_tokens(tokens).velocity.astype(np.float64)
    rows.append([velocity.mean() / 127, velocity.std() / 127,
                 len(np.unique(velocity))] if len(velocity) else [0, 0, 0])
  return np.array(rows)


def feature_importance(music, genres, evaluator, config, length, seed):
  """Group permutation importance, and the genre classifier +/- velocity."""
  test = real_data.fixed_crops(music.pieces('test', genres),
                               length)
  tokens = [t for t, _ in test]
  labels = np.array([label for _, label in test])
  matrix = features.feature_matrix(tokens)
  # The genre decision alone: argmax over the genres of the classifier.
  predict = lambda m: evaluator.predict_proba_features(m)[:, :len(genres)
                                                          ].argmax(-1)
  base = float(np.mean(predict(matrix) == labels))
  rng = np.random.default_rng(seed)
  importance = {}
  for name, part in features.group_slices().items():
    drops = []
    for _ in range(10):
      shuffled = matrix.copy()
      shuffled[:, part] = matrix[rng.permutation(len(matrix))][:, part]
      drops.append(base - np.mean(predict(shuffled) == labels))
    importance[name] = float(np.mean(drops))
  settings = config.evaluator
  train = real_data.random_crops(
      music.pieces('train', genres), settings.min_crop_len,
      settings.max_crop_len, settings.crops_per_piece, seed)
  train_tokens = [t for t, _ in train]
  train_labels = np.array([label for _, label in train])
  train_matrix = features.feature_matrix(train_tokens)
  velocity = {}
  for name, extra, extra_test in (
      ('without velocity', np.zeros([len(train), 0]), np.zeros([len(test), 0])),
      ('with velocity', _velocity_features(train_tokens),
       _velocity_features(tokens))):
    model = evaluator_lib.make_model('gbt', seed).fit(
        np.concatenate([train_matrix, extra], 1), train_labels)
    x = np.concatenate([matrix, extra_test], 1)
    result = {'test_accuracy': float(model.score(x, labels))}
    if extra.shape[1]:
      result['velocity_permutation_importance'] = float(np.mean(
          inspection.permutation_importance(
              model, x, labels, n_repeats=10, random_state=seed
          ).importances_mean[-3:].sum()))
    velocity[name] = result
  return {'crops': len(test), 'accuracy': base,
          'group_importance': importance, 'velocity': velocity}


def evaluator_seed_spread(music, genres, config, seeds, count, length,
                          directory):
  """Real-test and negative fidelity under evaluators trained with `seeds`.

  The crops are those of the report's `real (test)` row (seed 0) and one
  negative of each kind per crop; only the evaluator's seed changes, so the
  spread is the evaluator's own variance on a fixed, small test split.
  """
  split = 'test' if 'test' in music.splits else 'validation'
  sets = {}
  for genre in genres:
    test = [t for t, _ in music.pieces(split, [genre])]
    train = [t for t, _ in music.pieces('train', [genre])]
    crops, _ = real_data.crops_in_turn(test, length, count, 2)
    sets[genre] = {'real': crops, 'negatives': [
        fake for kind in negatives.KINDS
        for fake in negatives.make(kind, train, count, length, 3,
                                   crops=crops)]}
  result = {genre: {'real': [], 'negatives': []} for genre in genres}
  for seed in seeds:
    evaluator = evaluator_lib.load_or_train(
        config, music, f'{directory}_seed{seed}', genres, retrain=True,
        seed=seed, log=lambda _: None)[0]
    for index, genre in enumerate(genres):
      for name, tokens in sets[genre].items():
        judged = evaluator.verdicts(tokens)['judged']
        result[genre][name].append(float(np.mean(judged == index)))
  return {'split': split, 'seeds': list(seeds), 'crops': count,
          'fidelity': result}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--dataset', default=datasets.DEFAULT_DATASET)
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--genres', default=None, help='Default: all.')
  parser.add_argument('--num_samples', type=int, default=64)
  parser.add_argument('--length', type=int, default=512)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--evaluator_dir',
                      default='runs/evaluator/bench_judges')
  parser.add_argument('--retrain', action='store_true')
  parser.add_argument('--classifier_path', default=None)
  parser.add_argument('--model', action='append', default=[],
                      help='NAME=PATH or NAME=PATH:GENRE (repeatable).')
  parser.add_argument('--evaluator_seeds', type=int, default=0,
                      help='Also train this many evaluators (seeds 0..N-1) '
                      'and report the spread of real-test fidelity.')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  builder = datasets.get_builder(args.dataset, data_dir=args.data_dir)
  music = real_data.RealMusic(builder)
  vocabulary = datasets.get_vocabulary(builder)
  genres = args.genres.split(',') if args.genres else list(vocabulary.genres)
  config = configs.get_config('small')
  start = time.time()
  evaluator, info = evaluator_lib.load_or_train(
      config, music, args.evaluator_dir, genres, retrain=args.retrain,
      seed=args.seed)
  classifier = classifier_io.load_classifier(
      args.classifier_path, vocabulary.genres, genres) if (
          args.classifier_path) else None
  models = []
  for spec in args.model:
    name, path = spec.split('=', 1)
    path, _, only = path.partition(':')
    models.append((name, path, only or None))
  rows = []
  for genre in genres:
    evaluate = lambda sets, **kw: report.evaluate_genre(
        genre, sets, evaluator, classifier, music, seed=args.seed,
        num_reference=args.num_samples, **kw)
    trigram, nll = _trigram_samples(music, genre, args.num_samples,
                                    args.length, args.seed)
    genre_rows = evaluate(trigram, nll=nll)
    genre_rows[0]['set'] = 'trigram'
    for name, path, only in models:
      if only and only != genre:
        continue
      samples, nll = _model_samples(path, music, genre, args.num_samples,
                                    args.length, args.seed)
      row = evaluate(samples, nll=nll, with_negatives=False)[0]
      row['set'] = name
      genre_rows.append(row)
    order = ['real (test)', 'uniform', 'unigram', 'shuffled', 'drone']
    genre_rows.sort(key=lambda r: (order.index(r['set']) if r['set'] in order
                                   else len(order)))
    rows.extend(genre_rows)
    print(f'{genre} done after {time.time() - start:.0f} s', flush=True)
  importance = feature_importance(music, genres, evaluator, config,
                                  args.length, args.seed)
  print(report_format.markdown(rows))
  print('permutation importance (test, genre decision), by group:')
  for name, value in sorted(importance['group_importance'].items(),
                            key=lambda kv: -kv[1]):
    print(f'  {name:<24} {value:+.3f}')
  print('velocity:', importance['velocity'])
  spread = None
  if args.evaluator_seeds:
    spread = evaluator_seed_spread(
        music, genres, config, range(args.evaluator_seeds),
        args.num_samples, args.length, args.evaluator_dir)
    print(f'fidelity by evaluator seed ({spread["split"]}, '
          f'{spread["crops"]} crops of {args.length} tokens):')
    for genre, values in spread['fidelity'].items():
      real, fake = values['real'], values['negatives']
      print(f'  {genre:<10} real {np.mean(real):.3f} (seeds: '
            f'{", ".join(f"{v:.3f}" for v in real)}; min {min(real):.3f})  '
            f'negatives max {max(fake):.3f}')
  if args.json:
    print(json.dumps({'dataset': music.name,
                      'evaluator_info': info, 'rows': rows,
                      'importance': importance, 'evaluator_seeds': spread,
                      **machine.describe()},
                     default=float))


if __name__ == '__main__':
  main()
