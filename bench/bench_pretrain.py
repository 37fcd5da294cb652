r"""Pre-training on the full corpus: NLL per genre against CPU minutes.

  python bench/bench_pretrain.py --dataset corpus_genre/full \
      --variants small_data,balance0.5,balance1 --minutes 10 \
      --eval_every 200 --json

Each variant trains `small` (seed 0, the config's precision) from scratch,
or a larger transformer trained alike (the prefix `large:`, SIZES),
or from the shipped generator with the prefix `warm+` (its weights and
its step, so the learning-rate schedule continues), on --dataset with
genres drawn in proportion to (train examples) ** balance
(`balance<power>`; `TrainConfig.genre_balance`: 1 as the data come, 0
equally), or on `corpus_genre/small` (`small_data`: 30x less music), into
<work_dir>/<variant> for --minutes of training time (evaluation not
counted); a second call with more minutes resumes it from its checkpoint.
Every --eval_every steps it measures the next-token NLL (nats/token) per
genre on `corpus_genre/small`'s validation split (the music the shipped
generator is judged on; `full` keeps those pieces and their near-duplicates
out of its train split), the same batches for every variant, and once the
generator that ships in the package. Compare variants within one run only:
machines are shared.

  python bench/bench_pretrain.py --score_run runs/pretrain_full --json

scores every checkpoint of a genre_gan_train run instead (the curve of
bin/pretrain_full.sh, which keeps them all) on the same batches.

--realism_samples N also draws N unguided 512-token samples per genre from
the shipped generator and from each variant's last step (the config's
decoding) and judges them against the same validation music: C2ST, the
share of onsets on the piece's grid (features.py's onset_grid) and held
time. A variant name may end in '+<augmentation>' (genre_gan_train
--augment's: stretch, transpose, none).
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import dataclasses
import json
import os
import time

import tensorflow as tf

import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan import run_layout
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism as realism_lib
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import pretrained
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import monitor
from genre_transformer_gan.training import precision
from genre_transformer_gan.training import run_lib

REFERENCE = 'corpus_genre/small'
REALISM_LENGTH = 512  # Tokens per sample, as the reports judge.
WARM = 'warm+'
# Transformers larger than `small`'s, trained as `small` is (its crops of
# 512 tokens, batch, schedule, precision): a variant prefixed '<size>:'.
# `base` itself (batch 64 of 2048 tokens, 8000 warm-up steps) would not
# leave its warm-up in a CPU's hour.
SIZES = {
    'large': configs.TransformerConfig(
        num_layers=6, hidden_size=384, num_heads=6, attention_size=384,
        filter_size=1536, max_len=512, dropout=0.1, attention_dropout=0.0),
}


def variant(name: str, dataset: str):
  """(config, dataset): 'balance0.5' -> `small` with genre_balance 0.5 on
  `dataset`; 'small_data' -> `small` on corpus_genre/small; a suffix
  '+<augmentation>' (configs.AUGMENTATIONS: stretch, transpose, none)
  sets the augmentation, else `small`'s; a prefix '<size>:' (SIZES) its
  transformer (the prefix `warm+` is the caller's)."""
  small = configs.get_config('small')
  warm = name.startswith(WARM)
  name = name[len(WARM):] if warm else name
  size, _, name = name.rpartition(':')
  if size and size not in SIZES:
    raise ValueError(f'Unknown size {size!r}; use one of {", ".join(SIZES)}.')
  if size and warm:
    raise ValueError(f'{WARM} starts from the shipped generator, whose size '
                     f'is small\'s; drop {WARM} or {size}:.')
  if size:
    small = dataclasses.replace(small, transformer=SIZES[size])
  name, _, augment = name.partition('+')
  if augment not in configs.AUGMENTATIONS and augment:
    raise ValueError(f'Unknown augmentation {augment!r}; use one of '
                     f'{", ".join(configs.AUGMENTATIONS)}.')
  if augment:
    small = small.with_augmentation(augment)
  if name == 'small_data':
    return small, REFERENCE
  if not name.startswith('balance'):
    raise ValueError(f'Unknown variant {name!r}; use balance<power> or '
                     'small_data.')
  return dataclasses.replace(small, train=dataclasses.replace(
      small.train, genre_balance=float(name[len('balance'):]))), dataset


def train(name, config, builder, reference, minutes, eval_every, work_dir,
          steps=None):
  """[{step, added, minutes, nll: {genre: NLL}}] of one variant (resumed),
  trained for `minutes` or, if given, `steps` beyond its start (`added`
  counts from there; with `steps` the start is measured too)."""
  model_dir = os.path.join(work_dir, name)
  log_path = os.path.join(model_dir, 'curve.jsonl')
  points = []
  if os.path.exists(log_path):
    with open(log_path) as f:
      points = [json.loads(line) for line in f]
  vocabulary = datasets.get_vocabulary(builder)
  trainer = mle.MleTrainer(config, vocabulary.size, model_dir, seed=0)
  if not points:
    print(f'  {name}: {trainer.model.count_params():,} parameters',
          flush=True)
  if name.startswith(WARM):
    pretrained.initialize(trainer, config, vocabulary.genres, 'pretrained')
  start = int(trainer.step_offset.numpy())
  target = start + steps if steps is not None else 10**9
  spent = points[-1]['minutes'] * 60 if points else 0.0
  clock = {'start': time.perf_counter() - spent, 'paused': 0.0}

  def seconds():
    return time.perf_counter() - clock['start'] - clock['paused']

  def after_step(step, measure=False):
    done = seconds() >= 60 * minutes or step >= target
    if step % eval_every == 0 or done or measure:
      paused = time.perf_counter()
      point = {'step': int(step), 'added': int(step) - start,
               'minutes': seconds() / 60,
               'nll': {g: likelihood.mean_nll(trainer.model, d)
                       for g, d in reference.items()}}
      trainer.manager.save(checkpoint_number=step)
      with open(log_path, 'a') as f:
        f.write(json.dumps(point) + '\n')
      points.append(point)
      clock['paused'] += time.perf_counter() - paused
      print(f'  {name} step {step}: {point["minutes"]:.1f} min, NLL ' +
            ', '.join(f'{g} {v:.3f}' for g, v in point['nll'].items()),
            flush=True)
    return done

  if steps is not None and not points:
    after_step(trainer.step, measure=True)
  if seconds() < 60 * minutes and trainer.step < target:
    trainer.train(run_lib.mle_dataset_fn(config, builder, 0), target,
                  should_stop=after_step)
  return points, trainer.dtype, trainer.model


def realism(model, config, vocabulary, references, count, length, seed=0):
  """{genre: {c2st, c2st_interval, onset_grid, real_onset_grid,
  held_time}} of `count` unguided samples of `length` tokens per genre
  (the config's decoding for the genre), judged against `references`
  ({genre: report.reference_for's crops of real validation music})."""
  grid = features.feature_names().index('onset_grid_0')
  measured = {}
  for genre, reference in references.items():
    samples = monitor.SampleMonitor(
        genre, vocabulary.genre_token(genre), count, length, seed=seed,
        sampling_config=config.sampling).sample(model)
    matrix = features.feature_matrix(list(samples))
    test = realism_lib.c2st(matrix, reference.matrix, reference.groups,
                            seed=seed)
    measured[genre] = {
        'c2st': test['accuracy'], 'c2st_interval': test['interval'],
        'onset_grid': float(matrix[:, grid].mean()),
        'real_onset_grid': float(reference.matrix[:, grid].mean()),
        'held_time': report.held_time_share(list(samples), seed)[0]}
    print(f'    {genre}: C2ST {test["accuracy"]:.3f}, onsets on the grid '
          f'{measured[genre]["onset_grid"]:.2f} (real '
          f'{measured[genre]["real_onset_grid"]:.2f})', flush=True)
  return measured


def score_run(model_dir, config, vocab_size, reference):
  """[{step, nll: {genre: NLL}}] of every checkpoint a genre_gan_train run
  kept (--keep_checkpoints), on the reference batches."""
  state = tf.train.get_checkpoint_state(run_layout.checkpoints_dir(model_dir))
  if state is None:
    raise ValueError(f'No checkpoints in {model_dir}.')
  model = generators.build(config, vocab_size)
  points = []
  for prefix in state.all_model_checkpoint_paths:
    generator_io.restore_weights(model, prefix)
    points.append({'step': int(prefix.rsplit('-', 1)[-1]),
                   'nll': {g: likelihood.mean_nll(model, d)
                           for g, d in reference.items()}})
    print(f'  {prefix}: ' + ', '.join(f'{g} {v:.3f}' for g, v in
                                       points[-1]['nll'].items()), flush=True)
  return points


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--dataset', default='corpus_genre/full')
  parser.add_argument('--variants', default='small_data,balance0.5,balance1')
  parser.add_argument('--minutes', type=float, default=10.0)
  parser.add_argument('--eval_every', type=int, default=200)
  parser.add_argument('--eval_batches', type=int, default=10)
  parser.add_argument('--work_dir', default='runs/bench_pretrain')
  parser.add_argument('--score_run', default=None, help='Instead of training '
                      'variants, score every checkpoint of this '
                      'genre_gan_train model_dir (bin/pretrain_full.sh).')
  parser.add_argument('--realism_samples', type=int, default=0,
                      help='Also draw this many 512-token samples per genre '
                      'from the shipped generator and each variant\'s last '
                      'step, and judge them against real validation music '
                      '(C2ST, onsets on the grid, held time).')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  small = configs.get_config('small')
  builder = datasets.get_builder(args.dataset)
  reference = likelihood.genre_batches(
      datasets.get_builder(REFERENCE), 'validation', small, args.eval_batches)
  if datasets.get_vocabulary(builder).genres != tuple(reference):
    raise ValueError(f'{args.dataset} has other genres than {REFERENCE}.')
  shipped, _, _ = generator_io.load_shipped('small')
  card = pretrained.read_card('small')
  shipped_name = (f'shipped `small` ({card["step"]} steps, '
                  f'{card["dataset"]})')
  baseline = {g: likelihood.mean_nll(shipped, d)
              for g, d in reference.items()}
  print(f'{shipped_name}: ' + ', '.join(f'{g} {v:.3f}'
                                         for g, v in baseline.items()))
  music = real_data.RealMusic(datasets.get_builder(REFERENCE))
  # The same real crops judge every model.
  references = {genre: report.reference_for(
      music, genre, REALISM_LENGTH, args.realism_samples)
                for genre in reference} if args.realism_samples else {}

  def judge(model):
    return (realism(model, small, music.vocabulary, references,
                    args.realism_samples, REALISM_LENGTH)
            if args.realism_samples else None)

  baseline_realism = judge(shipped)
  results = {}
  if args.score_run:
    results[args.score_run] = {'points': score_run(
        args.score_run, small, datasets.get_vocabulary(builder).size,
        reference)}
  for name in args.variants.split(',') if not args.score_run else ():
    config, dataset = variant(name, args.dataset)
    points, dtype, model = train(name, config, datasets.get_builder(dataset),
                                 reference, args.minutes, args.eval_every,
                                 args.work_dir)
    results[name] = {'dtype': dtype, 'points': points,
                     'realism': judge(model)}
  genres = list(reference)
  rows = [dict({'variant': shipped_name},
               **{f'NLL {g}': baseline[g] for g in genres})]
  for name, result in results.items():
    for point in result['points']:
      rows.append(dict({'variant': name, 'step': point['step'],
                        'minutes': (round(point['minutes'], 1)
                                    if 'minutes' in point else '')},
                       **{f'NLL {g}': point['nll'][g] for g in genres}))
  tables.print_markdown(rows, ['variant', 'step', 'minutes'] +
                        [f'NLL {g}' for g in genres])
  if args.json:
    print(json.dumps({'dataset': builder.info.full_name,
                      'reference': REFERENCE, 'baseline': baseline,
                      'shipped': shipped_name,
                      'shipped_realism': baseline_realism,
                      'results': results,
                      'cpu_flags': precision.describe_cpu(),
                      **machine.describe()}))


if __name__ == '__main__':
  main()
