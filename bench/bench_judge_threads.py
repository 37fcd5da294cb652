r"""The Fréchet distance's bootstrap: BLAS threads and the matrix root.

  python bench/bench_judge_threads.py --repeats 5 --json

Times `realism.frechet` (one report row: the distance and its 200
bootstrap pairs, 64 rows of 68 correlated features on each side) four
ways: LAPACK on all of BLAS's threads or on one (`threads.one_thread`,
what the package does), and the root of C_a by its Cholesky factor (what
the package does) or by its eigendecomposition (before). Each way runs on
an idle machine, then beside one busy process per core (as when a second
test worker, or TensorFlow's threads, hold the cores). Ratios are within
one run; every way gives the same distance (printed).
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import time
from unittest import mock

import numpy as np
from scipy import linalg

import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan.evaluation import realism
from genre_transformer_gan.evaluation import threads
from genre_transformer_gan.training import precision


def _spin():
  while True:
    pass


@contextlib.contextmanager
def busy(cores):
  """One process spinning on each of `cores` cores meanwhile."""
  processes = [multiprocessing.Process(target=_spin, daemon=True)
               for _ in range(cores)]
  for p in processes:
    p.start()
  try:
    yield
  finally:
    for p in processes:
      p.terminate()
      p.join()


def _no_cholesky(*args, **kwargs):
  raise linalg.LinAlgError('the eigendecomposition root, as before')


def run_way(a, b, one_thread, cholesky, repeats):
  """(seconds per row, best of `repeats`; the distance)."""
  patches = contextlib.ExitStack()
  if not one_thread:
    patches.enter_context(mock.patch.object(
        threads, 'one_thread', contextlib.nullcontext))
  if not cholesky:
    patches.enter_context(mock.patch.object(realism.linalg, 'cholesky',
                                            _no_cholesky))
  zeros, ones = np.zeros(a.shape[1]), np.ones(a.shape[1])
  times = []
  with patches:
    for _ in range(repeats):
      began = time.perf_counter()
      result = realism.frechet(a, b, zeros, ones, seed=0)
      times.append(time.perf_counter() - began)
  return min(times), result['distance']


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--repeats', type=int, default=5)
  parser.add_argument('--rows', type=int, default=64)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  rng = np.random.default_rng(0)
  mixing = rng.normal(0, 1, [68, 68]) / np.sqrt(68)
  a = rng.normal(0, 1, [args.rows, 68]) @ mixing
  b = rng.normal(0.2, 1.1, [args.rows, 68]) @ mixing
  rows = []
  for load in ('idle', 'busy'):
    with busy(os.cpu_count()) if load == 'busy' else contextlib.nullcontext():
      for one_thread in (False, True):
        for cholesky in (False, True):
          seconds, distance = run_way(a, b, one_thread, cholesky,
                                      args.repeats)
          rows.append({'machine': load,
                       'BLAS threads': 'one' if one_thread else 'all',
                       'root': 'Cholesky' if cholesky else 'eigh',
                       'seconds per row': round(seconds, 3),
                       'distance': round(distance, 6)})
          print(rows[-1], flush=True)
  for row in rows:
    before = next(r for r in rows if r['machine'] == row['machine'] and
                  r['BLAS threads'] == 'all' and r['root'] == 'eigh')
    row['speed-up'] = round(before['seconds per row'] /
                            row['seconds per row'], 2)
  tables.print_markdown(rows, ['machine', 'BLAS threads', 'root',
                               'seconds per row', 'speed-up', 'distance'])
  if args.json:
    print(json.dumps({'rows': rows, 'cpu_flags': precision.describe_cpu(),
                      **machine.describe()}))


if __name__ == '__main__':
  main()
