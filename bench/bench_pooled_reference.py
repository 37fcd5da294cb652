r"""C2ST of bench_gan.py's saved samples against a pooled held-out reference.

  python bench/bench_pooled_reference.py --work_dir runs/bench_gan \
      --genre classical --seeds 0,1,2 --arms S@1.0~5,B@1.0~5,Bf@1.0~5 \
      --control B@1.0~5 --data_dir D \
      --reference corpus_genre/small:validation,corpus_genre/full:validation \
      --exclude corpus_genre/small:train,corpus_genre/small:test

`small`'s classical validation split is 15 pieces (3 by composers other
than Bach); `full`'s holds 53, `small`'s 15 among them, all held out from
the shipped generator's pretraining and from every genre stage. This
judges the samples each arm's validation report already wrote
(bench_gan.py, `--split validation`; no sampling, no training) against
crops of every piece of the --reference splits, once per example id,
leaving out any id of an --exclude split. The
crops of a seed are the same for every arm, so differences are paired by
seed against --control. Prints a table; `--json`: the last line is a JSON
object with `rows` and `summary`.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import json
import os


import gan_arms  # bench/gan_arms.py
import gan_rows  # bench/gan_rows.py
import tables  # bench/tables.py
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism
from genre_transformer_gan.evaluation import report


def split_pieces(specs, genre, data_dir):
  """{example id: event tokens} of `genre` in each `dataset:split` of specs
  (comma-separated), the first reading of an id kept."""
  pieces = {}
  for spec in filter(None, specs.split(',')):
    name, _, split = spec.rpartition(':')
    music = real_data.RealMusic(datasets.get_builder(name, data_dir=data_dir,
                                                     build=False))
    for piece_id, tokens in music.named_tokens(split, genre):
      pieces.setdefault(piece_id, tokens)
  return pieces


def pooled_reference(reference, exclude, genre, data_dir):
  """[(id, tokens)] of the reference splits' pieces not in an excluded one."""
  left_out = split_pieces(exclude, genre, data_dir)
  return sorted((piece_id, tokens) for piece_id, tokens
                in split_pieces(reference, genre, data_dir).items()
                if piece_id not in left_out)


def saved_samples(work_dir, seed, genre, arm, split='validation'):
  """The token files arm's report against `split` music wrote for (seed,
  genre)."""
  directory = gan_arms.decoded_dir(os.path.join(
      work_dir, 'models', f'seed{seed}_{genre}_{gan_arms.decoding(arm)[0]}',
      'report' if split == 'validation' else f'report_{split}'), arm)
  samples = os.path.join(directory, 'samples')
  if not os.path.isdir(samples):
    raise SystemExit(f'No samples in {samples}: run bench_gan.py with '
                     f'--arms {arm} --seeds {seed} --split {split} first.')
  read, skipped = report.read_samples(samples)  # Its token files, not MIDI.
  if skipped:
    raise SystemExit(f'{samples}: unreadable samples {dict(skipped)}.')
  return [tokens for _, tokens in read]


def saved_samples_parser(description: str) -> argparse.ArgumentParser:
  """The flags of a script that reads bench_gan.py's saved samples."""
  parser = argparse.ArgumentParser(description=description)
  parser.add_argument('--work_dir', default='runs/bench_gan')
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--genre', default='classical')
  parser.add_argument('--seeds', default='0,1,2')
  parser.add_argument('--arms', required=True)
  return parser


def main():
  parser = saved_samples_parser(__doc__.split('\n')[0])
  parser.add_argument('--control', default='B')
  parser.add_argument('--reference', default='corpus_genre/small:validation,'
                      'corpus_genre/full:validation')
  parser.add_argument('--exclude', default='corpus_genre/small:train,'
                      'corpus_genre/small:test')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  arms = args.arms.split(',')
  pieces = pooled_reference(args.reference, args.exclude, args.genre,
                            args.data_dir)
  print(f'{len(pieces)} {args.genre} pieces in the reference '
        f'({args.reference}, leaving out {args.exclude or "nothing"}).')
  rows = []
  for seed in [int(s) for s in args.seeds.split(',')]:
    samples = {arm: saved_samples(args.work_dir, seed, args.genre, arm)
               for arm in arms}
    # The report's rule: crops as long as the samples' median.
    length, count = report.reference_size(samples[arms[0]])
    crops, groups = real_data.crops_in_turn(
        [tokens for _, tokens in pieces], length, max(count, len(pieces)),
        seed)
    reference = features.feature_matrix(crops)
    for arm in arms:
      result = realism.c2st(features.feature_matrix(samples[arm]), reference,
                            groups, seed=seed)
      rows.append({**dict.fromkeys(gan_rows.MEASURES),  # judged: C2ST
                   'arm': arm, 'genre': args.genre, 'seed': seed,
                   'c2st_accuracy': result['accuracy'],
                   'reference_pieces': len(pieces),
                   'reference_crops': len(crops)})
      print(f'{arm} seed {seed}: C2ST {result["accuracy"]:.3f} against '
            f'{len(crops)} crops of {len(pieces)} pieces', flush=True)
  tables.print_markdown(rows, ('arm', 'genre', 'seed', 'c2st_accuracy'))
  print()
  summary = gan_rows.print_summary(rows, arms, [args.genre], args.control)
  if args.json:
    print(json.dumps({'reference': args.reference, 'exclude': args.exclude,
                      'rows': rows, 'summary': summary}))


if __name__ == '__main__':
  main()
