r"""Generator families compared at equal CPU training time on one genre.

  python bench/bench_generators.py --json
  python bench/bench_generators.py --families transformer,wavenet \
      --mle_cpu_minutes 16 --adv_cpu_minutes 5 --genre classical \
      --classifier_path CLF --evaluator_dir EVAL

For each neural family (models/generators.py) with the config's sizes:
  mle          MLE pre-training (all genres, genre token at position 0) for
               --mle_cpu_minutes of process CPU time;
  adversarial  then the GAN stage for --genre for --adv_cpu_minutes;
plus the n-gram baseline (models/ngram.py, fitted on the genre's train
pieces). Every row is judged the same way: NLL on held-out real music of the
genre (nats/token), the independent evaluator's fidelity, mgeval feature
overlap, diversity (distinct 4-grams), and sampling speed (tokens/s of the
compiled cached sampler, plain sampling at temperature 1, compile excluded).

CPU time is this process's (time.process_time: all threads), so the budget
does not depend on how busy the machine is; it includes building and
compiling the models. MLE stops at the first step past its budget
(MleTrainer.train's should_stop); the GAN stage's length (its temperature
schedule needs it up front) comes from timing five compiled steps in a
scratch directory first, which is not counted.
"""

import argparse
import json
import os
import shutil
import time

import numpy as np

import bench_ngram  # bench/bench_ngram.py
import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.training import adversarial
from genre_transformer_gan.training import adversaries
from genre_transformer_gan.training import genre_stages
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import run_lib

_COLUMNS = ('family', 'arm', 'steps', 'cpu_minutes', 'nll', 'fidelity',
            'reject_rate', 'c2st_accuracy', 'frechet_distance',
            'held_note_share', 'feature_overlap', 'distinct_4',
            'sampling_tokens_per_second')


def _train_mle(config, builder, vocabulary, model_dir, cpu_budget, seed):
  """MLE for cpu_budget process seconds; returns (trainer, cpu seconds)."""
  start = time.process_time()
  trainer = mle.MleTrainer(config, vocabulary.size, model_dir, seed=seed)
  trainer.train(run_lib.mle_dataset_fn(config, builder, seed), 10**9, should_stop=lambda step: (
      time.process_time() - start >= cpu_budget))
  return trainer, time.process_time() - start


def _adversarial_steps(config, vocabulary, model_dir, classifier_path,
                       genre, cpu_budget, dataset_fn, seed):
  """GAN steps that fit cpu_budget, timed in a scratch directory."""
  scratch = os.path.join(model_dir, 'adversarial_timing')
  trainer = adversarial.AdversarialTrainer(
      config, vocabulary, model_dir, classifier_path, genre, 1000, seed=seed,
      directory=scratch)
  times = {}
  trainer.train(dataset_fn, 8, should_stop=lambda step: times.setdefault(
      step, time.process_time()) is None)
  shutil.rmtree(scratch)
  per_step = (times[8] - times[3]) / 5  # Compiled steps only.
  return max(int(cpu_budget / per_step), 1)


def _measure(generator, config, music, genre, genre_token, judges, args):
  """NLL, samples (timed) and the report's generated row."""
  evaluator, classifier = judges
  nll = likelihood.genre_nll(generator, config, music, genre)
  sampler = sampling.Sampler(generator)
  prompts = np.full([args.num_samples, 1], genre_token, np.int32)
  sampler.generate(prompts, args.sample_length, seed=args.seed + 1)  # compile
  start = time.time()
  samples = sampler.generate(prompts, args.sample_length, seed=args.seed)
  speed = args.num_samples * args.sample_length / (time.time() - start)
  rows = report.evaluate_genre(genre, list(samples[:, 1:]), evaluator,
                               classifier, music, nll=nll, seed=args.seed)
  return rows, speed


def _summary(family, arm, steps, cpu_seconds, row, speed):
  return {'family': family, 'arm': arm, 'steps': steps,
          'cpu_minutes': None if cpu_seconds is None else cpu_seconds / 60,
          **report.headline(row), 'sampling_tokens_per_second': speed}


def _family_rows(family, args, builder, music, vocabulary, classifier_path,
                 judges):
  config = configs.get_config(args.config, family)
  model_dir = os.path.join(args.work_dir, family)
  run_lib.check_model_dir(model_dir, config.name, vocabulary.genres, family)
  trainer, cpu = _train_mle(config, builder, vocabulary, model_dir,
                            args.mle_cpu_minutes * 60, args.seed)
  steps = trainer.step
  print(f'{family}: MLE {steps} steps in {cpu / 60:.1f} CPU min', flush=True)
  token = vocabulary.genre_token(args.genre)
  rows, speed = _measure(trainer.model, config, music, args.genre, token,
                         judges, args)
  summaries = [_summary(family, 'mle', steps, cpu, rows[0], speed)]
  dataset_fn = genre_stages.adversarial_dataset_fn(config, builder, args.genre,
                                              args.seed)
  adv_steps = _adversarial_steps(
      config, vocabulary, model_dir, classifier_path, args.genre,
      args.adv_cpu_minutes * 60, dataset_fn, args.seed)
  start = time.process_time()
  trainer = adversarial.AdversarialTrainer(
      config, vocabulary, model_dir, classifier_path, args.genre, adv_steps,
      seed=args.seed)
  trainer.train(dataset_fn, adv_steps)
  adv_cpu = time.process_time() - start
  print(f'{family}: GAN stage {adv_steps} steps in {adv_cpu / 60:.1f} CPU '
        'min', flush=True)
  rows, _ = _measure(trainer.generator, config, music, args.genre, token,
                     judges, args)
  summaries.append(_summary(family, 'adversarial', adv_steps, cpu + adv_cpu,
                            rows[0], speed))
  return summaries, rows[1]


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--config', default='small')
  parser.add_argument('--dataset', default=None)
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--families', default='transformer,lstm,wavenet')
  parser.add_argument('--genre', default='classical')
  parser.add_argument('--mle_cpu_minutes', type=float, default=16)
  parser.add_argument('--adv_cpu_minutes', type=float, default=5)
  parser.add_argument('--num_samples', type=int, default=16)
  parser.add_argument('--sample_length', type=int, default=256)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--work_dir', default='runs/bench_generators')
  parser.add_argument('--classifier_path', default=None)
  parser.add_argument('--evaluator_dir', default=None)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  config = configs.get_config(args.config)
  builder = datasets.get_builder(args.dataset or config.dataset,
                                 data_dir=args.data_dir)
  music = real_data.RealMusic(builder)
  vocabulary = datasets.get_vocabulary(builder)
  anchor = os.path.join(args.work_dir, 'x')  # default judges' locations
  classifier_path = adversaries.get_classifier_path(config, builder, anchor,
                                                args.classifier_path)
  classifier = classifier_io.load_classifier(classifier_path,
                                             vocabulary.genres, [args.genre])
  evaluator = run_lib.load_evaluator(
      config, music, args.genre,
      args.evaluator_dir or
      run_lib.default_evaluator_dir(anchor, music.name))
  judges = (evaluator, classifier)
  summaries, real_row = [], None
  for family in args.families.split(','):
    family_summaries, real_row = _family_rows(
        family, args, builder, music, vocabulary, classifier_path, judges)
    summaries.extend(family_summaries)
  ngram_rows = bench_ngram.measure_ngram(music, args.genre, evaluator,
                                         classifier, args.num_samples,
                                         args.sample_length, seed=args.seed)
  summaries.append(_summary('ngram (trigram)', 'fit', None, None,
                            ngram_rows[0],
                            ngram_rows[0]['sampling_tokens_per_second']))
  summaries.append(_summary('real (test)', '-', None, None, real_row, None))

  tables.print_markdown(summaries, _COLUMNS)
  if args.json:
    print(json.dumps({'config': args.config, 'genre': args.genre,
                      'mle_cpu_minutes': args.mle_cpu_minutes,
                      'adv_cpu_minutes': args.adv_cpu_minutes,
                      'rows': summaries, **machine.describe()},
                     default=float))


if __name__ == '__main__':
  main()
