r"""Times `tfds build lakh_genre` with 1 and 2 Beam workers, in one run.

  python bench/bench_build.py                   # 2000 generated files
  python bench/bench_build.py --files 45000 --json   # Lakh-sized
  python bench/bench_build.py --files 500 --notes 300 --tracks 1

Generates a Lakh-shaped manual_dir (md5 file names under lmd_matched/,
match_scores.json, tagtraum label files, every kind of bad file of
synthetic_midi.bad_midi_files, --corrupt_share of corrupt ones). Good files
are Lakh-sized by default: 3000 notes on 8 instrument tracks at once
(about 10,000 event tokens, 1-20 minutes), each one of --distinct
generated pieces at a tempo of its own. Then it builds
`lakh_genre/tagtraum_cd2c` from it with the `tfds build` command and
DirectRunner multi-processing, once with direct_num_workers=1 and once with
2, each into an empty data_dir; both builds must produce the same examples
and skip counts. Target: 2 workers >= 1.7x faster. Then a plain loop in
this process converts the same work items with the same tokenizer, and
serializes each example with the builder's FeaturesDict into one TFRecord
file (timed apart): the builds' time over it is the cost of Beam, TFDS's
shuffling and sharding, and start-up. The last line with --json is
{"files", "seconds_1_worker", "seconds_2_workers", "speedup",
"seconds_plain_loop" (converting only), "seconds_plain_loop_writing",
"skipped", ...}.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import machine  # bench/machine.py
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.testing import synthetic_lakh

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _build(manual_dir, data_dir, workers):
  """Seconds of one `tfds build` with `workers` DirectRunner processes."""
  tfds_cli = shutil.which('tfds')
  command = ([tfds_cli] if tfds_cli else
             [sys.executable, '-m', 'tensorflow_datasets.scripts.cli.main'])
  options = (f'direct_num_workers={workers},'
             'direct_running_mode=multi_processing')
  command += ['build', 'lakh_genre/tagtraum_cd2c', '--imports=tfds_builders',
              f'--manual_dir={manual_dir}', f'--data_dir={data_dir}',
              f'--beam_pipeline_options={options}']
  start = time.time()
  result = subprocess.run(command, cwd=_REPO, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=_REPO))
  seconds = time.time() - start
  if result.returncode:
    raise RuntimeError(result.stderr[-3000:])
  return seconds


def _plain_loop(manual_dir, out_dir):
  """A plain loop over every work item, no Beam.

  Returns (seconds converting, seconds encoding + writing, examples): the
  same tokenizer and skip rules, then the builder's own FeaturesDict
  serialization into one TFRecord file, as a script without Beam would.
  """
  import tensorflow as tf  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import lakh_lib  # pylint: disable=import-outside-toplevel
  start = time.perf_counter()
  genres, items, _ = lakh_lib.lakh_work_items(
      os.path.join(manual_dir, 'lmd_matched'),
      os.path.join(manual_dir, 'match_scores.json'),
      os.path.join(manual_dir, 'msd_tagtraum_cd2c.cls'))
  features = example_lib.features(genres)
  convert = time.perf_counter() - start
  write, ok = 0.0, 0
  os.makedirs(out_dir)
  with tf.io.TFRecordWriter(os.path.join(out_dir, 'plain.tfrecord')) as out:
    for item in items:
      start = time.perf_counter()
      try:
        example = example_lib.make_example(item.path, 0, item.md5)
      except example_lib.SkipExample:
        convert += time.perf_counter() - start
        continue
      middle = time.perf_counter()
      out.write(features.serialize_example(example))
      ok += 1
      convert += middle - start
      write += time.perf_counter() - middle
  return convert, write, ok


def _summary(data_dir):
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  import tfds_builders  # pylint: disable=import-outside-toplevel,unused-import
  builder = tfds.builder('lakh_genre/tagtraum_cd2c', data_dir=data_dir)
  splits = {name: split.num_examples
            for name, split in builder.info.splits.items()}
  return splits, example_lib.read_skip_summary(builder.data_dir)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--files', type=int, default=2000,
                      help='good MIDI files to generate')
  parser.add_argument('--notes', type=int, default=3000,
                      help='notes per generated file')
  parser.add_argument('--tracks', type=int, default=8,
                      help='instrument tracks playing at once in a file')
  parser.add_argument('--distinct', type=int, default=1000,
                      help='distinct generated pieces (each file is one of '
                      'them at its own tempo)')
  parser.add_argument('--corrupt_share', type=float, default=0.02,
                      help='corrupt files, as a share of the good ones')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  root = tempfile.mkdtemp(prefix='bench_build_')
  try:
    manual_dir = os.path.join(root, 'lmd')
    start = time.time()
    expected = synthetic_lakh.write_fake_lakh(
        manual_dir, num_files=args.files,
        num_corrupt=max(1, round(args.corrupt_share * args.files)),
        notes_per_file=args.notes, tracks_per_file=args.tracks,
        distinct_pieces=min(args.distinct, args.files), bad_files=True,
        seed=0)
    print(f'generated {len(expected["ids"])} good files + bad ones in '
          f'{time.time() - start:.0f} s', flush=True)
    seconds, summaries = {}, {}
    for workers in (1, 2):
      data_dir = os.path.join(root, f'data_{workers}')
      seconds[workers] = _build(manual_dir, data_dir, workers)
      summaries[workers] = _summary(data_dir)
      print(f'{workers} worker(s): {seconds[workers]:.1f} s', flush=True)
    seconds['plain'], seconds['plain_write'], plain_ok = _plain_loop(
        manual_dir, os.path.join(root, 'plain'))
    print(f'plain loop: {seconds["plain"]:.1f} s converting + '
          f'{seconds["plain_write"]:.1f} s encoding and writing '
          f'({plain_ok} examples)', flush=True)
    if summaries[1] != summaries[2]:
      raise RuntimeError(f'The builds differ: {summaries}')
    splits, skipped = summaries[1]
    if skipped.get('skipped') != expected['skipped']:
      raise RuntimeError(f'skipped {skipped.get("skipped")}, expected '
                         f'{expected["skipped"]}')
    if sum(splits.values()) != len(expected['ids']):
      raise RuntimeError(f'{splits} examples, expected {len(expected["ids"])}'
                         f' (skipped: {skipped}); fewer --notes keep the '
                         'generated pieces under an hour.')
  finally:
    shutil.rmtree(root, ignore_errors=True)

  speedup = seconds[1] / seconds[2]
  print('| workers | seconds | files/s |')
  print('|---|---|---|')
  for workers in (1, 2):
    print(f'| {workers} | {seconds[workers]:.1f} | '
          f'{len(expected["ids"]) / seconds[workers]:.1f} |')
  print(f'| plain loop, no Beam: converting | {seconds["plain"]:.1f} | '
        f'{len(expected["ids"]) / seconds["plain"]:.1f} |')
  both = seconds['plain'] + seconds['plain_write']
  print(f'| plain loop: converting + encoding and writing | {both:.1f} | '
        f'{len(expected["ids"]) / both:.1f} |')
  print(f'speed-up with 2 workers: {speedup:.2f}x (target 1.7x); 1 worker / '
        f'plain loop: {seconds[1] / seconds["plain"]:.2f}x (target 1.3x); '
        f'skipped: {skipped.get("skipped")}')
  if args.json:
    print(json.dumps({
        'files': len(expected['ids']), 'notes_per_file': args.notes,
        'tracks_per_file': args.tracks, 'distinct_pieces': args.distinct,
        'seconds_1_worker': round(seconds[1], 2),
        'seconds_2_workers': round(seconds[2], 2),
        'speedup': round(speedup, 3),
        'seconds_plain_loop': round(seconds['plain'], 2),
        'seconds_plain_loop_writing': round(seconds['plain_write'], 2),
        'skipped': skipped.get('skipped'),
        'labels': skipped.get('labels'), 'splits': splits,
        **machine.describe()}))


if __name__ == '__main__':
  main()
