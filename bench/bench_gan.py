r"""The research question: does the GAN stage make samples more genre-faithful?

  python bench/bench_gan.py --config small --start pretrained \
      --genres classical,folk --seeds 0,1,2 --extra_steps 100 \
      --num_samples 64 --sample_length 512 --json

The arms, and the suffixes that decode an arm's samples another way, are
defined in bench/gan_arms.py.

Each (arm, genre, seed) is judged by final_report.final_report: --num_samples
samples decoded with the config's sampling settings, independent-evaluator
fidelity (with rejects), C2ST and Fréchet distance against held-out real
music of the genre (--split chooses validation or test as the reference),
NLL on the genre's test music, held notes and held time, distinct-4, and the
frozen genre classifier's p(target) (the K-genre one for every arm). The
summary gives each arm's mean over seeds with a bootstrap 95 % interval and
its paired difference against --control (B by default; per seed, then
averaged); `--summarize` prints it from the rows already judged. Prints tables;
`--json`: the last line is a JSON object with `rows` (keys arm, genre,
seed, fidelity, c2st_accuracy, frechet_distance, nll, held_note_share,
held_time_share, distinct_4, ...) and `summary`; each row is also appended
to <work_dir>/rows.jsonl as soon as it is judged. Arms already trained in
--work_dir are not trained again, and reports already written are read
back (--rejudge writes them anew): an interrupted run resumes. `--split
test` judges the same models against test music into report_test/ and
rows_test.jsonl, on new samples (sampling seed + 1000; --same_samples
judges the validation reports' samples again).
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import dataclasses
import json
import os
import shutil
import time

import numpy as np
import tensorflow as tf

import gan_arms  # bench/gan_arms.py
import gan_rows  # bench/gan_rows.py
import tables  # bench/tables.py
from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.training import cache_fit
from genre_transformer_gan.training import final_report
from genre_transformer_gan.training import genre_stages
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import adversaries
from genre_transformer_gan.training import run_lib
from genre_transformer_gan.training import strategies

# A --split test report draws new samples (seed + this): the arm chosen on
# the validation samples is not graded on the same samples.
TEST_SEED_OFFSET = 1000


def mle_learning_rate(config, vocab_size, directory) -> float:
  """The MLE schedule's learning rate at the last step of the run in
  `directory` (its pretrained offset included)."""
  trainer = mle.MleTrainer(config, vocab_size, directory)
  return float(trainer.schedule(trainer.step))


def branch(config, vocab_size, initial, directory):
  """A new MLE run in `directory` from `initial`'s weights and optimizer.

  Not a copy: the copy's saved input position belongs to the pipeline that
  wrote it (all genres), and arm B reads another one (the genre alone).
  """
  if os.path.exists(os.path.join(directory, 'checkpoints')):
    return  # Resuming this arm.
  os.makedirs(directory, exist_ok=True)
  shutil.copy(os.path.join(initial, 'run.json'), directory)
  genre_stages.branch_mle(config, vocab_size, tf.train.latest_checkpoint(
      os.path.join(initial, 'checkpoints')), directory)


def _parse():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--config', default='small')
  parser.add_argument('--dataset', default=None)
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--train_dataset', default=None,
                      help="arm Bf's MLE data (same vocabulary as --dataset)")
  parser.add_argument('--genres', default='classical,folk')
  parser.add_argument('--arms', default=','.join(gan_arms.DECISIVE))
  parser.add_argument('--seeds', default='0,1,2')
  parser.add_argument('--start', default='pretrained',
                      help="'pretrained' or a number of MLE steps from "
                      'scratch.')
  parser.add_argument('--extra_steps', type=int, default=100)
  parser.add_argument('--gan_steps', type=int, default=None,
                      help="Arms BK and BKP's adversarial steps (default: "
                      '--extra_steps).')
  parser.add_argument('--num_samples', type=int, default=64)
  parser.add_argument('--sample_length', type=int, default=512)
  parser.add_argument('--split', default='validation',
                      choices=['validation', 'test'],
                      help='Reference music of the realism judges.')
  parser.add_argument('--realism_weight', type=float, default=0.5)
  parser.add_argument('--realism_loss', default='rsgan')
  parser.add_argument('--hard_final_temperature', type=float, default=0.1)
  parser.add_argument('--guide', default='arm', choices=['arm', 'generated'],
                      help="What guidance arms rank with: the arm's own "
                      "adversary, or the start's K+1 classifier (S with it: "
                      "discriminator rejection sampling's best-of-N).")
  parser.add_argument('--same_samples', action='store_true',
                      help='--split test judges the validation reports\' '
                      'samples against test music instead of drawing new '
                      'ones (cheaper; fidelity is then the validation one).')
  parser.add_argument('--rejudge', action='store_true',
                      help='Judge again arms whose report exists (default: '
                      'read it, so an interrupted run resumes).')
  parser.add_argument('--work_dir', default='runs/bench_gan')
  parser.add_argument('--classifier_path', default=None)
  parser.add_argument('--control', default='B',
                      help='The arm every other is paired with by seed (the '
                      'best control on validation, e.g. B@1.0).')
  parser.add_argument('--summarize', action='store_true',
                      help='Train and judge nothing: print the summary of '
                      'the rows already in --work_dir (--split, --arms, '
                      '--genres, --guide select them).')
  parser.add_argument('--json', action='store_true')
  return parser.parse_args()


def main():
  args = _parse()
  arms = args.arms.split(',')
  gan_arms.check_arms(arms, args.train_dataset)
  genres = args.genres.split(',')
  if args.summarize:
    suffix = '' if args.split == 'validation' else f'_{args.split}'
    rows = gan_rows.read_rows(
        os.path.join(args.work_dir, f'rows{suffix}.jsonl'), args.guide)
    summary = gan_rows.print_summary(rows, arms, genres, args.control)
    missing = sorted(set(arms) - {entry['arm'] for entry in summary})
    if missing:
      print(f'No {args.split} rows of {", ".join(missing)} for --guide='
            f'{args.guide} (guided arms are read for the --guide they '
            'ranked with).')
    if args.json:
      print(json.dumps({'split': args.split, 'control': args.control,
                        'summary': summary}))
    return
  config = configs.get_config(args.config)
  for line in gan_arms.base_temperature_notes(arms, genres, config.sampling):
    print(line, flush=True)
  # Arms decode at the config's base temperature and top-p unless `@T[/P]`
  # says otherwise (not the package's per-genre defaults, which these arms
  # chose), draw plain samples unless `+guidance` and leave notes as
  # drawn unless `~S`.
  config = dataclasses.replace(config, sampling=dataclasses.replace(
      config.sampling, genre_temperatures=(), genre_top_p=(), guidance='none',
      genre_guidance=(), max_note_seconds=None, cache_weights=(),
      genre_cache_weights=(), cache_fade=1.0))
  builder = datasets.get_builder(args.dataset or config.dataset,
                                 data_dir=args.data_dir)
  music = real_data.RealMusic(builder)
  vocabulary = music.vocabulary
  train_builder = builder
  if args.train_dataset:
    train_builder = datasets.get_builder(args.train_dataset,
                                         data_dir=args.data_dir)
    if datasets.get_vocabulary(train_builder) != vocabulary:
      raise SystemExit(f'{args.train_dataset} has another vocabulary than '
                       f'{builder.info.full_name}.')
  strategy = strategies.get_strategy('auto')
  model_root = os.path.join(args.work_dir, 'models')
  classifier_path = adversaries.get_classifier_path(
      config, builder, os.path.join(model_root, 'x'), args.classifier_path)
  classifier = classifier_io.load_classifier(classifier_path,
                                             vocabulary.genres, genres)
  evaluator = run_lib.load_evaluator(
      config, music, genres[0],
      run_lib.default_evaluator_dir(os.path.join(model_root, 'x'),
                                    music.name))
  from_scratch = args.start != 'pretrained'
  rows, start = [], time.time()
  # The validation reports choose; a --split test run of the same models
  # writes beside them instead of over them.
  report_suffix = '' if args.split == 'validation' else f'_{args.split}'
  rows_path = os.path.join(args.work_dir, f'rows{report_suffix}.jsonl')

  def drawn_before(directory, genre):
    """With --same_samples, the validation report's samples of a --split
    test report (same generator, seed and decoding), or None."""
    if not report_suffix or not args.same_samples:
      return None
    head, name = os.path.split(directory)
    paths = [os.path.join(head, name.replace(f'report{report_suffix}',
                                             'report', 1), 'samples',
                          f'{genre}_{i:02d}.npy')
             for i in range(args.num_samples)]
    if not all(os.path.exists(path) for path in paths):
      return None
    return [np.load(path) for path in paths]

  def measure_arm(arm, genre, seed, generator, directory, arm_config,
                  training=None, adversary=None):
    base, temperature, cap, spec, cache = gan_arms.decoding(arm)
    guide = None
    directory = gan_arms.decoded_dir(directory, arm)
    temperature, top_p = gan_arms.temperature_top_p(temperature)
    if temperature:
      arm_config = dataclasses.replace(arm_config, sampling=(
          dataclasses.replace(arm_config.sampling, temperature=temperature)))
    if top_p:
      arm_config = dataclasses.replace(arm_config, sampling=(
          dataclasses.replace(arm_config.sampling, top_p=top_p)))
    if cap:
      arm_config = dataclasses.replace(arm_config, sampling=(
          dataclasses.replace(arm_config.sampling,
                              max_note_seconds=float(cap))))
    if cache:  # Fitted to this generator on the genre's validation music.
      scale, _, fade = cache.partition(':')
      fade = float(fade or 1.0)
      weights = cache_fit.fitted_weights(
          generator, music, genre, config, fade,
          1.0 if scale == gan_arms.CACHE_FIT else float(scale))[0]
      arm_config = dataclasses.replace(arm_config, sampling=(
          dataclasses.replace(arm_config.sampling, cache_fade=fade,
                              genre_cache_weights=((genre, weights),))))
    if spec:
      if args.guide == 'generated':  # The start's K+1 classifier.
        adversary = adversaries.get_generated_classifier_path(
            gan_arms.adversarial_settings(config, 'K', args), builder,
            vocabulary, os.path.join(model_root, f'seed{seed}_start'),
            classifier_path, seed)
        directory += '_generated'
      guide = classifier_io.load_classifier(adversary or classifier_path,
                                            vocabulary.genres, [genre])
    judged = os.path.join(directory, 'evaluation.json')
    if args.rejudge or not os.path.exists(judged):  # Else: judged before.
      final_report.final_report(arm_config, music, generator, genre,
                                classifier, evaluator, directory,
                                args.num_samples, args.sample_length,
                                seed + (TEST_SEED_OFFSET if report_suffix
                                        and not args.same_samples else 0),
                                reference_split=args.split,
                                guidance_spec=spec or 'none', guide=guide,
                                samples=drawn_before(directory, genre))
    with open(judged) as f:
      generated = json.load(f)['rows'][0]
    # The temperature the samples were drawn at: the config's base one
    # unless `@T` (folk's own is higher: name it, `Bn@1.15`).
    rows.append({'arm': arm, 'genre': genre, 'seed': seed,
                 'temperature': arm_config.sampling.temperature_for(genre),
                 'top_p': arm_config.sampling.top_p,
                 **report.headline(generated)})
    if spec:
      rows[-1]['guide'] = args.guide
    if cache:
      rows[-1].update(arm_config.sampling.cache_for(genre))
    if training:  # The GAN stage's last logged step: p on its own rollouts
      # and each loss term's gradient norm.
      rows[-1]['training'] = {k: v for k, v in training.items() if
                              k.startswith('gradient_norm') or k in (
                                  'classifier_probability',
                                  'hard_probability', 'genre_loss', 'kl')}
    with open(rows_path, 'a') as f:
      f.write(json.dumps(rows[-1]) + '\n')  # survives an interrupted run
    measures = ', '.join(f'{key} {tables.cell(rows[-1][key])}'
                         for key in gan_rows.MEASURES)
    print(f'{arm} {genre} seed {seed} at T {rows[-1]["temperature"]}, '
          f'top-p {rows[-1]["top_p"]}: '
          f'{measures} ({(time.time() - start) / 60:.1f} min)', flush=True)

  def mle_arm(arm, genre, seed, initial, result, start_step):
    """Trains an MLE arm (gan_arms.MLE_ARMS) in its folder; returns it."""
    directory = os.path.join(model_root, f'seed{seed}_{genre}_{arm}')
    branch(config, vocabulary.size, initial, directory)
    # MLE steps count beyond the start's step_offset (its pretrained
    # step): the branch continues from start_step for extra_steps.
    run_lib.run_mle(gan_arms.mle_config(config, arm, genre),
                    train_builder if arm == 'Bf' else builder, vocabulary,
                    directory,
                    start_step - result['start_offset'] +
                    args.extra_steps * (2 if arm == 'B2' else 1), strategy,
                    genres=None if arm == 'A' else [genre], seed=seed)
    return directory

  for seed in [int(s) for s in args.seeds.split(',')]:
    initial = os.path.join(model_root, f'seed{seed}_start')
    run_lib.check_model_dir(initial, config.name, vocabulary.genres)
    result = run_lib.run_mle(
        config, builder, vocabulary, initial,
        int(args.start) if from_scratch else 0, strategy, seed=seed,
        init_from='scratch' if from_scratch else 'pretrained')
    start_step = int(result['checkpoint'].rsplit('-', 1)[-1])
    for genre in genres:
      for arm in arms:
        base = gan_arms.decoding(arm)[0]
        directory = os.path.join(model_root, f'seed{seed}_{genre}_{base}')
        if base == 'S':
          generator, _, _ = generator_io.load_generator(initial,
                                                        vocabulary.genres)
          measure_arm(arm, genre, seed, generator, os.path.join(
              directory, 'report' + report_suffix), config)
          continue
        if base in gan_arms.MLE_ARMS:
          mle_arm(base, genre, seed, initial, result, start_step)
          generator, _, _ = generator_io.load_generator(directory,
                                                        vocabulary.genres)
          measure_arm(arm, genre, seed, generator,
                os.path.join(directory, 'report' + report_suffix), config)
          continue
        source, learning_rate, adversary = initial, None, classifier_path
        if base in ('BE', 'BK', 'BnK', 'BKP'):
          source = mle_arm('Bn' if base == 'BnK' else 'B', genre, seed,
                           initial, result, start_step)
        if base == 'BE':
          learning_rate = mle_learning_rate(config, vocabulary.size, source)
        arm_config = gan_arms.adversarial_settings(config, base, args,
                                                   learning_rate, genre)
        if base in ('K', 'BK', 'BnK', 'BKP'):  # One K+1 adversary per start,
          # shared by the genres and arms: learned from the start's samples.
          adversary = adversaries.get_generated_classifier_path(
              gan_arms.adversarial_settings(config, 'K', args), builder,
              vocabulary, initial, classifier_path, seed)
        if not os.path.exists(directory):
          shutil.copytree(source, directory)
        trainer = genre_stages.run_adversarial(
            arm_config, builder, vocabulary, directory, genre,
            args.gan_steps if base in ('BK', 'BnK', 'BKP') and args.gan_steps
            else args.extra_steps, adversary, strategy, seed=seed)
        measure_arm(arm, genre, seed, trainer.generator,
              os.path.join(trainer.directory, 'report' + report_suffix),
              arm_config, trainer.result, adversary)

  header = ('arm', 'genre', 'seed') + gan_rows.MEASURES
  tables.print_markdown(rows, header)
  print()
  summary = gan_rows.print_summary(rows, arms, genres, args.control)
  if args.json:
    print(json.dumps({'config': config.name, 'start': args.start,
                      'extra_steps': args.extra_steps,
                      'num_samples': args.num_samples,
                      'sample_length': args.sample_length,
                      'split': args.split, 'arm_names': gan_arms.ARM_NAMES,
                      'settings': dataclasses.asdict(config.adversarial),
                      'minutes': (time.time() - start) / 60,
                      'rows': rows, 'summary': summary}))


if __name__ == '__main__':
  main()
