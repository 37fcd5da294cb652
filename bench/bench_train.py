r"""Training throughput (MFU) in float32 and bfloat16; relative attention memory.

  python bench/bench_train.py                 # config small
  python bench/bench_train.py --config tiny --memory_len 512 --json
  python bench/bench_train.py --nll_steps 300 --json   # + NLL of each dtype

For each dtype (float32, and mixed_bfloat16: matmuls in bfloat16, variables
float32) the `small` training step is timed in the same run, and MFU is
taken against that dtype's own peak:
  peak      a matmul of the dtype (n x n by n x n, 2 n^3 FLOPs) timed
            repeatedly;
  achieved  analytic FLOPs of a training step / its measured time, with
            FLOPs = 3 x forward (backward ~ 2 x forward) and forward per
            sequence = 2 x matmul params x L + layers x 2 x L^2 x A x k,
            k = 2 (QK^T, AV) plus 1 for the relative Q.Er^T, A the attention
            width; embeddings lookups are not counted, the logits layer is.
Peak memory: one training step at --memory_len (default 2048) for each
attention variant, each in a fresh subprocess (Linux: VmHWM after resetting
it with /proc/self/clear_refs just before the step, minus the resident size
then). Targets: MFU >= 40% on `small`; relative <= 1.25x absolute memory.
The top-level JSON keys (mfu, achieved_flops, peak_flops, step_seconds)
are those of `dtype`, the one `precision='auto'` picks on this machine.
--nll_steps N also trains `small` N steps in each dtype from the same seed
on the embedded dataset and reports validation NLL (nats/token), every 100
steps and at the end.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import dataclasses
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import tensorflow as tf

import bench_curves  # bench/bench_curves.py
import machine  # bench/machine.py
from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import precision

VOCAB = vocab.GENRE_OFFSET + 3


DTYPES = ('float32', 'mixed_bfloat16')


def peak_flops(dtype='float32', n=2048, repeats=10):
  compute = 'bfloat16' if dtype == 'mixed_bfloat16' else dtype
  a = tf.cast(tf.random.normal((n, n)), compute)
  b = tf.cast(tf.random.normal((n, n)), compute)
  matmul = tf.function(lambda x, y: tf.matmul(x, y))
  matmul(a, b).numpy()
  start = time.perf_counter()
  for _ in range(repeats):
    result = matmul(a, b)
  result.numpy()
  return 2 * n**3 * repeats / (time.perf_counter() - start)


def step_flops(model_config, batch, length):
  d, a, f = (model_config.hidden_size, model_config.attention_size,
             model_config.filter_size)
  layer_params = 4 * d * a + 2 * d * f  # Q, K, V, output; feed-forward
  matmul_params = model_config.num_layers * layer_params + d * VOCAB
  k = 3 if model_config.attention == 'relative' else 2
  forward = (2 * matmul_params * length +
             model_config.num_layers * 2 * length**2 * a * k)
  return 3 * forward * batch


def _trainer(config, model_dir):
  return mle.MleTrainer(config, VOCAB, model_dir)


def random_batches(batch, length):
  data = np.random.default_rng(0).integers(2, vocab.GENRE_OFFSET,
                                           (batch * 4, length + 1))
  data[:, 0] = vocab.GENRE_OFFSET
  return lambda context: tf.data.Dataset.from_tensor_slices(
      data.astype(np.int32)).repeat().batch(batch)


def achieved_flops(config, steps):
  length, batch = config.max_len - 1, config.batch_size
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = _trainer(config, model_dir)
    iterator = iter(trainer.strategy.distribute_datasets_from_function(
        random_batches(batch, length)))
    float(trainer._train_step(iterator)[0])  # trace
    start = time.perf_counter()
    for _ in range(steps):
      loss, _ = trainer._train_step(iterator)
    float(loss)
    seconds = (time.perf_counter() - start) / steps
  return step_flops(config.transformer, batch, length) / seconds, seconds


def with_dtype(config, dtype):
  return dataclasses.replace(config, train=dataclasses.replace(
      config.train, precision=dtype))


def nll_after(config, steps, seed=0, every=100):
  """(validation NLL, training seconds, [(step, NLL)] every `every` steps)
  of `config` after `steps` on the embedded dataset (bench_curves.curve's
  run, stopped by steps)."""
  points, _ = bench_curves.curve(config, math.inf, min(every, steps), seed,
                                 max_steps=steps)
  _, seconds, nll = points[-1]
  return nll, seconds, [(step, value) for step, _, value in points]


def _rss_kb(field):
  with open('/proc/self/status') as f:
    for line in f:
      if line.startswith(field):
        return int(line.split()[1])
  raise RuntimeError(f'{field} not in /proc/self/status')


def _memory_child(config_name, attention, length, batch):
  """In a subprocess: MB of peak memory added by one training step."""
  config = configs.get_config(config_name)
  config = dataclasses.replace(
      config, batch_size=batch, transformer=dataclasses.replace(
          config.transformer, max_len=length + 1, attention=attention))
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = _trainer(config, model_dir)
    iterator = iter(trainer.strategy.distribute_datasets_from_function(
        random_batches(batch, length)))
    trainer._train_step.get_concrete_function(iterator)  # trace first
    before = _rss_kb('VmRSS')
    with open('/proc/self/clear_refs', 'w') as f:
      f.write('5')  # reset VmHWM
    float(trainer._train_step(iterator)[0])
    print(json.dumps({'peak_mb': (_rss_kb('VmHWM') - before) / 1024}))


def peak_step_memory_mb(config_name, attention, length, batch):
  output = subprocess.run(
      [sys.executable, __file__, '--memory_child', attention,
       '--config', config_name, '--memory_len', str(length),
       '--memory_batch', str(batch)],
      capture_output=True, text=True, check=True).stdout
  return json.loads(output.strip().splitlines()[-1])['peak_mb']


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--config', default='small')
  parser.add_argument('--steps', type=int, default=10)
  parser.add_argument('--memory_len', type=int, default=2048)
  parser.add_argument('--memory_batch', type=int, default=1)
  parser.add_argument('--memory_child', choices=['relative', 'absolute'])
  parser.add_argument('--nll_steps', type=int, default=0)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  if args.memory_child:
    _memory_child(args.config, args.memory_child, args.memory_len,
                  args.memory_batch)
    return
  config = configs.get_config(args.config)
  auto = precision.resolve('auto')
  per_dtype = {}
  for dtype in DTYPES:
    peak = peak_flops(dtype)
    achieved, seconds = achieved_flops(with_dtype(config, dtype), args.steps)
    per_dtype[dtype] = {'mfu': achieved / peak, 'achieved_flops': achieved,
                        'peak_flops': peak, 'step_seconds': seconds}
    print(f'{dtype:>15}: {seconds:.3f} s/step, peak {peak / 1e9:.0f} '
          f'GFLOP/s, achieved {achieved / 1e9:.1f} GFLOP/s, MFU '
          f'{100 * achieved / peak:.1f}%', flush=True)
  if args.nll_steps:
    for dtype in DTYPES:
      nll, seconds, points = nll_after(with_dtype(config, dtype),
                                       args.nll_steps)
      per_dtype[dtype].update(nll=nll, nll_steps=args.nll_steps,
                              nll_train_seconds=seconds, nll_curve=points)
      print(f'{dtype:>15}: validation NLL {nll:.4f} after '
            f'{args.nll_steps} steps ({seconds:.0f} s)', flush=True)
  relative_mb, absolute_mb = (
      peak_step_memory_mb(args.config, attention, args.memory_len,
                          args.memory_batch)
      for attention in ('relative', 'absolute'))
  result = dict(per_dtype[auto], dtype=auto, dtypes=per_dtype,
                speedup_bf16=(per_dtype['float32']['step_seconds'] /
                              per_dtype['mixed_bfloat16']['step_seconds']),
                rel_peak_mem_mb=relative_mb, abs_peak_mem_mb=absolute_mb,
                cpu_flags=precision.describe_cpu(), **machine.describe())
  print(f'config {args.config}: batch {config.batch_size} x '
        f'{config.max_len - 1} tokens, {os.cpu_count()} cores, '
        f'{precision.describe_cpu()}; auto precision: {auto}')
  print(f'bfloat16 step {result["speedup_bf16"]:.2f}x faster than float32; '
        f'MFU ({auto}) {100 * result["mfu"]:.1f}% (target >= 40%)')
  print(f'training step at length {args.memory_len}, batch '
        f'{args.memory_batch}: relative {relative_mb:.0f} MB, absolute '
        f'{absolute_mb:.0f} MB, ratio {relative_mb / absolute_mb:.2f} '
        '(target <= 1.25)')
  if args.json:
    print(json.dumps(result))


if __name__ == '__main__':
  main()
