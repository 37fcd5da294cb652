r"""Pre-training on the full corpus: NLL per genre against CPU minutes.

  python bench/bench_pretrain.py --dataset corpus_genre/full \
      --variants small_data,balance0.5,balance1 --minutes 10 \
      --eval_every 200 --json

Each variant trains `small` (seed 0, the config's precision) from scratch,
or from the shipped generator with the prefix `warm+` (its weights and
its step, so the learning-rate schedule continues), on --dataset with genres drawn in proportion to (train examples) **
balance (`balance<power>`; `TrainConfig.genre_balance`: 1 as the data come,
0 equally), or on `corpus_genre/small` as the shipped generator was
(`small_data`: the same minutes on 30x less music), into
<work_dir>/<variant> for --minutes of training time (evaluation not
counted); a second call with more minutes resumes it from its checkpoint.
Every --eval_every steps it measures the next-token NLL (nats/token) per
genre on `corpus_genre/small`'s validation split (the music the shipped
generator is judged on; `full` keeps those pieces and their near-duplicates
out of its train split), the same batches for every variant, and once the
shipped `small` generator's on them (trained on `small` alone: the row to
beat). Compare variants within one run only: machines are shared.
"""

import argparse
import dataclasses
import json
import os
import time

import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import pretrained
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import precision
from genre_transformer_gan.training import run_lib

REFERENCE = 'corpus_genre/small'
WARM = 'warm+'


def variant(name: str, dataset: str):
  """(config, dataset): 'balance0.5' -> `small` with genre_balance 0.5 on
  `dataset`; 'small_data' -> `small` on corpus_genre/small (the prefix
  `warm+` is the caller's)."""
  small = configs.get_config('small')
  name = name[len(WARM):] if name.startswith(WARM) else name
  if name == 'small_data':
    return small, REFERENCE
  if not name.startswith('balance'):
    raise ValueError(f'Unknown variant {name!r}; use balance<power> or '
                     'small_data.')
  return dataclasses.replace(small, train=dataclasses.replace(
      small.train, genre_balance=float(name[len('balance'):]))), dataset


def train(name, config, builder, reference, minutes, eval_every, work_dir):
  """[{step, minutes, nll: {genre: NLL}}] of one variant (resumed)."""
  model_dir = os.path.join(work_dir, name)
  log_path = os.path.join(model_dir, 'curve.jsonl')
  points = []
  if os.path.exists(log_path):
    with open(log_path) as f:
      points = [json.loads(line) for line in f]
  vocabulary = datasets.get_vocabulary(builder)
  trainer = mle.MleTrainer(config, vocabulary.size, model_dir, seed=0)
  if name.startswith(WARM):
    pretrained.initialize(trainer, config, vocabulary.genres, 'pretrained')
  spent = points[-1]['minutes'] * 60 if points else 0.0
  clock = {'start': time.perf_counter() - spent, 'paused': 0.0}

  def seconds():
    return time.perf_counter() - clock['start'] - clock['paused']

  def after_step(step):
    done = seconds() >= 60 * minutes
    if step % eval_every == 0 or done:
      paused = time.perf_counter()
      point = {'step': int(step), 'minutes': seconds() / 60,
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

  if seconds() < 60 * minutes:
    trainer.train(run_lib.mle_dataset_fn(config, builder, 0), 10**9,
                  should_stop=after_step)
  return points, trainer.dtype


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--dataset', default='corpus_genre/full')
  parser.add_argument('--variants', default='small_data,balance0.5,balance1')
  parser.add_argument('--minutes', type=float, default=10.0)
  parser.add_argument('--eval_every', type=int, default=200)
  parser.add_argument('--eval_batches', type=int, default=10)
  parser.add_argument('--work_dir', default='runs/bench_pretrain')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  small = configs.get_config('small')
  builder = datasets.get_builder(args.dataset)
  reference = likelihood.genre_batches(
      datasets.get_builder(REFERENCE), 'validation', small, args.eval_batches)
  if datasets.get_vocabulary(builder).genres != tuple(reference):
    raise ValueError(f'{args.dataset} has other genres than {REFERENCE}.')
  shipped, _, _ = generator_io.load_shipped('small')
  baseline = {g: likelihood.mean_nll(shipped, d)
              for g, d in reference.items()}
  print('shipped small: ' + ', '.join(f'{g} {v:.3f}'
                                      for g, v in baseline.items()))
  results = {}
  for name in args.variants.split(','):
    config, dataset = variant(name, args.dataset)
    points, dtype = train(name, config, datasets.get_builder(dataset),
                          reference, args.minutes, args.eval_every,
                          args.work_dir)
    results[name] = {'dtype': dtype, 'points': points}
  genres = list(reference)
  rows = [dict({'variant': 'shipped `small` (2500 steps on `small`)'},
               **{f'NLL {g}': baseline[g] for g in genres})]
  for name, result in results.items():
    for point in result['points']:
      rows.append(dict({'variant': name, 'step': point['step'],
                        'minutes': round(point['minutes'], 1)},
                       **{f'NLL {g}': point['nll'][g] for g in genres}))
  tables.print_markdown(rows, ['variant', 'step', 'minutes'] +
                        [f'NLL {g}' for g in genres])
  if args.json:
    print(json.dumps({'dataset': builder.info.full_name,
                      'reference': REFERENCE, 'baseline': baseline,
                      'results': results,
                      'cpu_flags': precision.describe_cpu(),
                      **machine.describe()}))


if __name__ == '__main__':
  main()
