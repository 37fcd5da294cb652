r"""The research question: does the GAN stage make samples more genre-faithful?

  python bench/bench_gan.py --config small --genres classical,folk \
      --seeds 0,1 --mle_steps 300 --extra_steps 100 --json

For each seed: one MLE pre-training (all genres) to --mle_steps, then two
arms with the same number of further steps:
  mle           MLE continues for --extra_steps;
  adversarial   the GAN stage runs --extra_steps for each genre;
and every (arm, genre) is judged the same way (run_lib.final_report:
samples from the genre token, independent-evaluator fidelity, frozen
classifier, NLL on held-out real music of the genre, mgeval overlap,
diversity). Prints a table; `--json`: the last line is a JSON object.
Target: adversarial >= +15 points of evaluator fidelity with NLL at most 5%
worse than the MLE arm.
"""

import argparse
import dataclasses
import json
import os
import shutil
import time

import tables  # bench/tables.py
from genre_transformer_gan import configs
from genre_transformer_gan.data import datasets
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.training import run_lib
from genre_transformer_gan.training import strategies


def _row(arm, genre, seed, directory):
  with open(os.path.join(directory, 'evaluation.json')) as f:
    generated = json.load(f)['rows'][0]
  return {'arm': arm, 'genre': genre, 'seed': seed,
          **report.headline(generated)}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--config', default='small')
  parser.add_argument('--dataset', default=None)
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--genres', default='classical,folk')
  parser.add_argument('--seeds', default='0')
  parser.add_argument('--mle_steps', type=int, default=300)
  parser.add_argument('--extra_steps', type=int, default=100)
  parser.add_argument('--num_samples', type=int, default=16)
  parser.add_argument('--sample_length', type=int, default=256)
  parser.add_argument('--work_dir', default='runs/bench_gan')
  parser.add_argument('--classifier_path', default=None)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  config = configs.get_config(args.config)
  builder = datasets.get_builder(args.dataset or config.dataset,
                                 data_dir=args.data_dir)
  vocabulary = datasets.get_vocabulary(builder)
  genres = args.genres.split(',')
  strategy = strategies.get_strategy('auto')
  model_root = os.path.join(args.work_dir, 'models')
  classifier_path = run_lib.get_classifier_path(
      config, builder, os.path.join(model_root, 'x'), args.classifier_path)
  classifier = classifier_io.load_classifier(classifier_path,
                                             vocabulary.genres, genres)
  evaluator = run_lib.load_evaluator(
      config, builder, genres[0],
      run_lib.default_evaluator_dir(os.path.join(model_root, 'x'), builder))
  rows, start = [], time.time()
  for seed in [int(s) for s in args.seeds.split(',')]:
    pretrained = os.path.join(model_root, f'seed{seed}_pretrained')
    run_lib.check_model_dir(pretrained, config.name, vocabulary.genres)
    run_lib.run_mle(config, builder, vocabulary, pretrained, args.mle_steps,
                    strategy, seed=seed)
    # Arm 1: MLE only, continued from a copy of the pre-trained model.
    mle_dir = os.path.join(model_root, f'seed{seed}_mle')
    if not os.path.exists(mle_dir):
      shutil.copytree(pretrained, mle_dir)
    run_lib.run_mle(config, builder, vocabulary, mle_dir,
                    args.mle_steps + args.extra_steps, strategy, seed=seed)
    generator, _, _ = generator_io.load_generator(mle_dir, vocabulary.genres)
    for genre in genres:
      directory = os.path.join(mle_dir, f'report_{genre}')
      run_lib.final_report(config, builder, generator, genre, classifier,
                           evaluator, directory, args.num_samples,
                           args.sample_length, seed)
      rows.append(_row('mle', genre, seed, directory))
    # Arm 2: the GAN stage for each genre from the same pre-trained model.
    for genre in genres:
      trainer = run_lib.run_adversarial(
          config, builder, vocabulary, pretrained, genre, args.extra_steps,
          classifier_path, strategy, evaluator=evaluator, seed=seed)
      run_lib.final_report(config, builder, trainer.generator, genre,
                           classifier, evaluator, trainer.directory,
                           args.num_samples, args.sample_length, seed)
      rows.append(_row('adversarial', genre, seed, trainer.directory))
    print(f'seed {seed} done after {(time.time() - start) / 60:.1f} min',
          flush=True)

  header = ('arm', 'genre', 'seed', 'fidelity', 'reject_rate',
            'classifier_probability', 'c2st_accuracy', 'frechet_distance',
            'held_note_share', 'nll', 'feature_overlap', 'distinct_4')
  tables.print_markdown(rows, header)
  if args.json:
    print(json.dumps({'config': config.name, 'mle_steps': args.mle_steps,
                      'extra_steps': args.extra_steps,
                      'settings': dataclasses.asdict(config.adversarial),
                      'rows': rows}))


if __name__ == '__main__':
  main()
