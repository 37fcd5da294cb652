r"""Validation NLL against CPU minutes and steps, for variants of `small`.

  python bench/bench_curves.py --minutes 4 --eval_every 50 --json

Each variant trains from the same seed on the embedded dataset
(`corpus_genre/small`, all genres) for --minutes of training time (the
validation passes are not counted) and its validation NLL (nats/token, 20
batches) is measured every --eval_every steps:

  small          the `small` config as shipped (precision auto)
  small_float32  the same in float32 (bf16 vs float32 at equal steps)
  small_before   the previous `small`: 8 heads of 32, dropout 0.1 on the
                 attention weights, float32
  absolute       `small` with learned absolute positions and plain
                 attention (does relative attention pay here?)

Variants run one after the other in one process, so compare them within
one run of the script only.
"""

import argparse
import dataclasses
import json
import tempfile
import time

import machine  # bench/machine.py
from genre_transformer_gan import configs
from genre_transformer_gan.data import pipeline
from genre_transformer_gan import datasets
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import precision
from genre_transformer_gan.training import run_lib


def variant(name):
  small = configs.get_config('small')
  replace = dataclasses.replace
  if name == 'small':
    return small
  if name == 'small_float32':
    return replace(small, train=replace(small.train, precision='float32'))
  if name == 'small_before':
    return replace(
        small, transformer=replace(small.transformer, num_heads=8, attention_dropout=None),
        train=replace(small.train, precision='float32'))
  if name == 'absolute':
    return replace(small, transformer=replace(small.transformer, attention='absolute'))
  raise ValueError(f'Unknown variant {name!r}.')


def curve(config, minutes, eval_every, seed=0, max_steps=None):
  """[(step, training seconds, validation NLL)] of one variant, trained for
  `minutes` (validation passes not counted) or `max_steps`, whichever
  comes first."""
  builder = datasets.get_builder()
  eval_data = pipeline.eval_dataset(
      builder.as_dataset(split='validation'), config.max_len,
      config.batch_size).take(20).cache()
  points = []
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = mle.MleTrainer(config, datasets.get_vocabulary(builder).size,
                             model_dir, seed=seed)
    clock = {'start': time.perf_counter(), 'paused': 0.0}

    def training_seconds():
      return time.perf_counter() - clock['start'] - clock['paused']

    def after_step(step):
      done = training_seconds() >= 60 * minutes or (
          max_steps is not None and step >= max_steps)
      if step % eval_every == 0 or done:
        paused = time.perf_counter()
        points.append((step, training_seconds(), trainer.evaluate(eval_data)))
        clock['paused'] += time.perf_counter() - paused
        print(f'  step {step}: {points[-1][1]:.0f} s, validation NLL '
              f'{points[-1][2]:.4f}', flush=True)
      return done

    trainer.train(run_lib.mle_dataset_fn(config, builder, seed), 10**9,
                  should_stop=after_step)
  return points, trainer.dtype


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--variants',
                      default='small,small_float32,small_before,absolute')
  parser.add_argument('--minutes', type=float, default=4.0)
  parser.add_argument('--eval_every', type=int, default=50)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  results = {}
  for name in args.variants.split(','):
    print(name, flush=True)
    points, dtype = curve(variant(name), args.minutes, args.eval_every)
    results[name] = {'dtype': dtype, 'points': points}
  print('| variant | dtype | steps | s/step | NLL at end | ' + ' | '.join(
      f'NLL at step {s}' for s in (100, 200, 300)) + ' |')
  print('|---|---|---|---|---|---|---|---|')
  for name, result in results.items():
    points = result['points']
    at = {step: nll for step, _, nll in points}
    print(f'| {name} | {result["dtype"]} | {points[-1][0]} | '
          f'{points[-1][1] / points[-1][0]:.2f} | {points[-1][2]:.4f} | ' +
          ' | '.join(f'{at[s]:.4f}' if s in at else '-'
                     for s in (100, 200, 300)) + ' |')
  if args.json:
    print(json.dumps({'minutes': args.minutes, 'results': results,
                      'cpu_flags': precision.describe_cpu(),
                      **machine.describe()}))


if __name__ == '__main__':
  main()
