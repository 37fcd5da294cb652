r"""Times building corpus_genre with and without music21's kept renderings.

  python bench/bench_corpus_build.py              # corpus_genre/small
  python bench/bench_corpus_build.py --json

Builds the dataset into an empty data_dir (music21 renders every piece and
the build keeps the renderings under downloads/, midi_cache.py), then into
a second empty data_dir that holds only a copy of those renderings (what a
rebuild after a tokenizer change, or another config on the same data_dir,
finds). Both builds must give the same examples. The last line with --json
is {"dataset", "pieces", "seconds_rendering", "seconds_kept", "speedup",
"machine"}.
"""

import argparse
import json
import os
import shutil
import tempfile
import time

import genre_transformer_gan  # pylint: disable=unused-import
from genre_transformer_gan import datasets
import machine  # bench/machine.py
import tensorflow_datasets as tfds
from tfds_builders.corpus_genre import corpus_genre_dataset_builder


def _build(dataset, data_dir):
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
    cold_dir, warm_dir = os.path.join(root, 'cold'), os.path.join(root, 'warm')
    cold_seconds, cold = _build(args.dataset, cold_dir)
    shutil.copytree(corpus_genre_dataset_builder.kept_renderings(cold_dir),
                    corpus_genre_dataset_builder.kept_renderings(warm_dir))
    warm_seconds, warm = _build(args.dataset, warm_dir)
    first, second = _examples(cold), _examples(warm)
    if first != second:
      raise SystemExit('The two builds gave different examples.')
    pieces = sum(len(ids) for ids in first.values())
    result = {'dataset': args.dataset, 'pieces': pieces,
              'seconds_rendering': round(cold_seconds, 1),
              'seconds_kept': round(warm_seconds, 1),
              'speedup': round(cold_seconds / warm_seconds, 2),
              'machine': machine.describe()}
    print(f'{args.dataset}: {pieces} examples; built in {cold_seconds:.1f} s '
          f'rendering every piece, {warm_seconds:.1f} s from the kept '
          f'renderings ({cold_seconds / warm_seconds:.1f}x); same examples.')
    if args.json:
      print(json.dumps(result))
  finally:
    shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
  main()
