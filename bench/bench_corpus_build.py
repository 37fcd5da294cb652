r"""Times building corpus_genre with and without music21's renderings at hand.

  python bench/bench_corpus_build.py              # corpus_genre/small
  python bench/bench_corpus_build.py --json

Builds the dataset three times, each into an empty data_dir:
  1. music21 renders every piece (the package's shipped renderings off:
     GENRE_GAN_SHIPPED_RENDERINGS=''); the build keeps the renderings
     under downloads/ (midi_cache.py);
  2. what a fresh install does: the renderings shipped in the package
     (data/shipped_renderings.py; `small`'s pieces) are read, music21
     renders the rest;
  3. from a copy of the first build's kept renderings only, shipped ones
     off (what a rebuild after a tokenizer change, or another config on
     the same data_dir, finds).
All three must give the same examples. The last line with --json is
{"dataset", "pieces", "seconds_rendering", "seconds_shipped",
"seconds_kept", "speedup_shipped", "speedup_kept", "machine"}.
"""

import argparse
import json
import os
import shutil
import tempfile
import time

import genre_transformer_gan  # pylint: disable=unused-import
from genre_transformer_gan import datasets
from genre_transformer_gan.data import shipped_renderings
import machine  # bench/machine.py
import tensorflow_datasets as tfds
from tfds_builders.corpus_genre import corpus_genre_dataset_builder


def _build(dataset, data_dir, shipped=True):
  """(seconds, builder); shipped False: the package's renderings unread
  (the build's process pool inherits the environment)."""
  if shipped:
    os.environ.pop(shipped_renderings.ENVIRONMENT, None)
  else:
    os.environ[shipped_renderings.ENVIRONMENT] = ''
  start = time.time()
  builder = datasets.get_builder(dataset, data_dir=data_dir)
  return time.time() - start, builder


def _examples(builder):
  """{split: {id: tokens bytes}} of a built dataset."""
  return {split: {example['id']: example['tokens'].tobytes()
                  for example in tfds.as_numpy(builder.as_dataset(split=split))}
          for split in builder.info.splits}


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--dataset', default='corpus_genre/small')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  root = tempfile.mkdtemp(prefix='bench_corpus_build_')
  try:
    cold_dir, shipped_dir, warm_dir = (os.path.join(root, name) for name in (
        'cold', 'shipped', 'warm'))
    cold_seconds, cold = _build(args.dataset, cold_dir, shipped=False)
    shipped_seconds, shipped = _build(args.dataset, shipped_dir)
    shutil.copytree(corpus_genre_dataset_builder.kept_renderings(cold_dir),
                    corpus_genre_dataset_builder.kept_renderings(warm_dir))
    warm_seconds, warm = _build(args.dataset, warm_dir, shipped=False)
    first = _examples(cold)
    if _examples(shipped) != first or _examples(warm) != first:
      raise SystemExit('The builds gave different examples.')
    pieces = sum(len(ids) for ids in first.values())
    result = {'dataset': args.dataset, 'pieces': pieces,
              'seconds_rendering': round(cold_seconds, 1),
              'seconds_shipped': round(shipped_seconds, 1),
              'seconds_kept': round(warm_seconds, 1),
              'speedup_shipped': round(cold_seconds / shipped_seconds, 2),
              'speedup_kept': round(cold_seconds / warm_seconds, 2),
              'machine': machine.describe()}
    print(f'{args.dataset}: {pieces} examples; built in {cold_seconds:.1f} s '
          f'rendering every piece, {shipped_seconds:.1f} s with the shipped '
          f'renderings ({cold_seconds / shipped_seconds:.1f}x), '
          f'{warm_seconds:.1f} s from the kept renderings '
          f'({cold_seconds / warm_seconds:.1f}x); same examples.')
    if args.json:
      print(json.dumps(result))
  finally:
    shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
  main()
