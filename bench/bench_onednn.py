r"""TensorFlow's oneDNN CPU kernels on and off: `small`'s training step and
its sampler.

  python bench/bench_onednn.py --json

TensorFlow reads TF_ENABLE_ONEDNN_OPTS once, when it is imported, and turns
the kernels on by itself only on CPUs with AVX512-VNNI, AVX512-BF16 or AMX;
the package turns them on everywhere (genre_transformer_gan/__init__.py).
Each setting runs in a fresh subprocess with the variable set, one after
the other on the same machine: float32 training steps of `small` on random
tokens (after two warm-up steps), then `small`'s sampler (as configured,
XLA included) drawing --batch samples of --length tokens (after one
warm-up draw). Prints seconds per step and per draw, and off / on ratios.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import json
import os
import subprocess
import sys

import machine  # bench/machine.py

_CHILD = r'''
import dataclasses, json, sys, tempfile, time
import numpy as np
import genre_transformer_gan
sys.path.insert(0, {bench!r})
import bench_train
from genre_transformer_gan import configs
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import generators
from genre_transformer_gan.training import mle, precision
config = configs.get_config('small')
config = dataclasses.replace(config, train=dataclasses.replace(
    config.train, precision='float32'))
with tempfile.TemporaryDirectory() as directory:
  trainer = mle.MleTrainer(config, bench_train.VOCAB, directory)
  batches = iter(trainer.strategy.distribute_datasets_from_function(
      bench_train.random_batches(config.batch_size, config.max_len - 1)))
  for _ in range(2):
    float(trainer._train_step(batches)[0])
  start = time.perf_counter()
  for _ in range({steps}):
    float(trainer._train_step(batches)[0])
  step = (time.perf_counter() - start) / {steps}
model = generators.build(config, bench_train.VOCAB)
model(np.zeros([1, 8], np.int32))
decode = config.sampling
sampler = sampling.Sampler(model, decode.temperature, decode.top_k,
                           decode.top_p, jit_compile=decode.jit_compile)
prompts = np.full([{batch}, 1], bench_train.VOCAB - 1, np.int32)
sampler.generate(prompts, {length})
start = time.perf_counter()
sampler.generate(prompts, {length}, seed=1)
draw = time.perf_counter() - start
print(json.dumps({{'onednn': precision.onednn_enabled(),
                  'step_batch': config.batch_size,
                  'step_length': config.max_len - 1,
                  'step_seconds': step, 'draw_seconds': draw}}))
'''


def run(setting: str, args) -> dict:
  """The child's measurements with TF_ENABLE_ONEDNN_OPTS=setting."""
  code = _CHILD.format(bench=os.path.dirname(os.path.abspath(__file__)),
                       steps=args.steps, batch=args.batch,
                       length=args.length)
  env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=setting)
  output = subprocess.run([sys.executable, '-c', code], env=env, check=True,
                          capture_output=True, text=True).stdout
  return json.loads(output.strip().splitlines()[-1])


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--steps', type=int, default=6)
  parser.add_argument('--batch', type=int, default=32)
  parser.add_argument('--length', type=int, default=511)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  off, on = run('0', args), run('1', args)
  assert not off['onednn'] and on['onednn'], (off, on)
  result = {'off': off, 'on': on,
            'step_speedup': off['step_seconds'] / on['step_seconds'],
            'draw_speedup': off['draw_seconds'] / on['draw_seconds'],
            **machine.describe()}
  print(f'{result["cpu"]}, {result["cores"]} cores; small, float32 step '
        f'(batch {on["step_batch"]} x {on["step_length"]}): oneDNN off '
        f'{off["step_seconds"]:.2f} s, on '
        f'{on["step_seconds"]:.2f} s: {result["step_speedup"]:.2f}x; '
        f'sampler ({args.batch} x {args.length} tokens): off '
        f'{off["draw_seconds"]:.1f} s, on {on["draw_seconds"]:.1f} s: '
        f'{result["draw_speedup"]:.2f}x')
  if args.json:
    print(json.dumps(result))


if __name__ == '__main__':
  main()
