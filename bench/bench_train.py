r"""Training throughput (MFU) and the memory of relative vs absolute attention.

  python bench/bench_train.py                 # config small
  python bench/bench_train.py --config tiny --memory_len 512 --json

MFU = achieved FLOP/s / peak FLOP/s, both measured in this run:
  peak      a float32 matmul (n x n by n x n, 2 n^3 FLOPs) timed repeatedly;
  achieved  analytic FLOPs of a training step / its measured time, with
            FLOPs = 3 x forward (backward ~ 2 x forward) and forward per
            sequence = 2 x matmul params x L + layers x 2 x L^2 x A x k,
            k = 2 (QK^T, AV) plus 1 for the relative Q.Er^T, A the attention
            width; embeddings lookups are not counted, the logits layer is.
Peak memory: one training step at --memory_len (default 2048) for each
attention variant, each in a fresh subprocess (Linux: VmHWM after resetting
it with /proc/self/clear_refs just before the step, minus the resident size
then). Targets: MFU >= 40% on `small`; relative <= 1.25x absolute memory.
"""

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.training import mle

_VOCAB = vocab.GENRE_OFFSET + 3


def peak_flops(n=2048, repeats=10):
  a = tf.random.normal((n, n))
  b = tf.random.normal((n, n))
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
  matmul_params = model_config.num_layers * layer_params + d * _VOCAB
  k = 3 if model_config.attention == 'relative' else 2
  forward = (2 * matmul_params * length +
             model_config.num_layers * 2 * length**2 * a * k)
  return 3 * forward * batch


def _trainer(config, model_dir):
  return mle.MleTrainer(config, _VOCAB, model_dir)


def _batches(config, batch, length):
  data = np.random.default_rng(0).integers(2, vocab.GENRE_OFFSET,
                                           (batch * 4, length + 1))
  data[:, 0] = vocab.GENRE_OFFSET
  return lambda context: tf.data.Dataset.from_tensor_slices(
      data.astype(np.int32)).repeat().batch(batch)


def achieved_flops(config, steps):
  length, batch = config.model.max_len - 1, config.batch_size
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = _trainer(config, model_dir)
    iterator = iter(trainer.strategy.distribute_datasets_from_function(
        _batches(config, batch, length)))
    float(trainer._train_step(iterator)[0])  # trace
    start = time.perf_counter()
    for _ in range(steps):
      loss, _ = trainer._train_step(iterator)
    float(loss)
    seconds = (time.perf_counter() - start) / steps
  return step_flops(config.model, batch, length) / seconds, seconds


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
      config, batch_size=batch, model=dataclasses.replace(
          config.model, max_len=length + 1, attention=attention))
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = _trainer(config, model_dir)
    iterator = iter(trainer.strategy.distribute_datasets_from_function(
        _batches(config, batch, length)))
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
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  if args.memory_child:
    _memory_child(args.config, args.memory_child, args.memory_len,
                  args.memory_batch)
    return
  config = configs.get_config(args.config)
  peak = peak_flops()
  achieved, seconds = achieved_flops(config, args.steps)
  relative_mb, absolute_mb = (
      peak_step_memory_mb(args.config, attention, args.memory_len,
                          args.memory_batch)
      for attention in ('relative', 'absolute'))
  result = {'mfu': achieved / peak, 'achieved_flops': achieved,
            'peak_flops': peak, 'rel_peak_mem_mb': relative_mb,
            'abs_peak_mem_mb': absolute_mb}
  print(f'config {args.config}: batch {config.batch_size} x '
        f'{config.model.max_len - 1} tokens, {seconds:.3f} s/step, '
        f'{os.cpu_count()} cores')
  print(f'peak (float32 matmul) {peak / 1e9:.1f} GFLOP/s; achieved '
        f'{achieved / 1e9:.1f} GFLOP/s; MFU {100 * result["mfu"]:.1f}% '
        '(target >= 40%)')
  print(f'training step at length {args.memory_len}, batch '
        f'{args.memory_batch}: relative {relative_mb:.0f} MB, absolute '
        f'{absolute_mb:.0f} MB, ratio {relative_mb / absolute_mb:.2f} '
        '(target <= 1.25)')
  if args.json:
    print(json.dumps(result))


if __name__ == '__main__':
  main()
