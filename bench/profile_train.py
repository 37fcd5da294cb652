r"""Where a training step's time goes: TensorFlow's profiler, summed by op.

  python bench/profile_train.py                       # small, precision auto
  python bench/profile_train.py --precision float32 --attention_dropout 0.1

Profiles --steps steps of the `small` MLE step (after two warm-up steps) and
prints the time per step of each op type and of the costliest ops, summed
over the threads that ran them (so the total exceeds the wall time on 2
cores). Reads the profiler's xplane file directly; no TensorBoard plugin
is needed.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import collections
import dataclasses
import glob
import re
import tempfile
import time

import tensorflow as tf
from tensorflow.tsl.profiler.protobuf import xplane_pb2

import bench_train  # bench/bench_train.py
from genre_transformer_gan import configs
from genre_transformer_gan.training import mle


def profile(config, steps):
  """(wall seconds per step, {op type: s/step}, {op name: s/step})."""
  batch, length = config.batch_size, config.max_len - 1
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = mle.MleTrainer(config, bench_train.VOCAB, model_dir)
    iterator = iter(trainer.strategy.distribute_datasets_from_function(
        bench_train.random_batches(batch, length)))
    for _ in range(2):
      float(trainer._train_step(iterator)[0])  # pylint: disable=protected-access
    logdir = tempfile.mkdtemp()
    tf.profiler.experimental.start(logdir)
    start = time.perf_counter()
    for _ in range(steps):
      loss, _ = trainer._train_step(iterator)  # pylint: disable=protected-access
    float(loss)
    wall = (time.perf_counter() - start) / steps
    tf.profiler.experimental.stop()
  space = xplane_pb2.XSpace()
  path = glob.glob(f'{logdir}/**/*.xplane.pb', recursive=True)[0]
  with open(path, 'rb') as f:
    space.ParseFromString(f.read())
  by_type, by_name = collections.Counter(), collections.Counter()
  for plane in space.planes:
    for line in plane.lines:
      for event in line.events:
        name = plane.event_metadata[event.metadata_id].name
        if ':' not in name or any(skip in name for skip in (
            'Iterator', 'Process', 'Run')):
          continue
        op_type = name.rsplit(':', 1)[1]
        if not op_type or ' ' in op_type:
          continue
        seconds = event.duration_ps / 1e12 / steps
        by_type[op_type] += seconds
        # Layers' numbered names folded: one row per op of every block.
        by_name[re.sub(r'_\d+', '', name)] += seconds
  return wall, by_type, by_name


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--config', default='small')
  parser.add_argument('--precision', default=None)
  parser.add_argument('--attention_dropout', type=float, default=None)
  parser.add_argument('--num_heads', type=int, default=None)
  parser.add_argument('--steps', type=int, default=3)
  parser.add_argument('--top', type=int, default=15)
  args = parser.parse_args()
  config = configs.get_config(args.config)
  model = {k: v for k, v in (('attention_dropout', args.attention_dropout),
                             ('num_heads', args.num_heads)) if v is not None}
  config = dataclasses.replace(config, transformer=dataclasses.replace(
      config.transformer, **model))
  if args.precision:
    config = bench_train.with_dtype(config, args.precision)
  wall, by_type, by_name = profile(config, args.steps)
  print(f'{wall:.3f} s/step wall; op time summed over threads '
        f'{sum(by_type.values()):.3f} s/step')
  for name, seconds in by_type.most_common(args.top):
    print(f'{seconds:7.3f}  {name}')
  print('costliest ops (all blocks together):')
  for name, seconds in by_name.most_common(args.top):
    print(f'{seconds:7.3f}  {name[-100:]}')


if __name__ == '__main__':
  main()
