r"""How much of bench_gan.py's saved samples is the training music again.

  python bench/bench_copying.py --work_dir runs/bench_gan --genre classical \
      --seeds 0,1,2 --arms B@1.0~5,Bn@1.0~5 --data_dir D

A genre stage without transposition fits its ~120 pieces closely (its NLL
on held-out music rises), and the two-sample test against held-out music
cannot see a copied training piece. This measures the samples each arm's
validation report already wrote (evaluation/copying.py: the share of their
runs of 16 note steps found in the training music, and the longest copied
passage) against every --train piece of the genre: `full`'s train split
holds `small`'s, and the shipped generator was pretrained on it. Real
held-out music is the baseline: crops of each --held_out split cut as the
report cuts them (as long as the samples' median, the pieces in turn), as
many as one seed's samples. Prints a table; `--json`: the last line is a
JSON object with `rows`.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import json

import bench_pooled_reference  # bench/bench_pooled_reference.py
import tables  # bench/tables.py
from genre_transformer_gan.evaluation import copying
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import report


def main():
  parser = bench_pooled_reference.saved_samples_parser(
      __doc__.split('\n')[0])
  parser.add_argument('--train', default='corpus_genre/full:train,'
                      'corpus_genre/small:train')
  parser.add_argument('--held_out', default='corpus_genre/small:validation,'
                      'corpus_genre/small:test')
  parser.add_argument('--n', type=int, default=copying.N_GRAM)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  seeds = [int(s) for s in args.seeds.split(',')]
  train = bench_pooled_reference.split_pieces(args.train, args.genre,
                                              args.data_dir)
  index = copying.TrainingIndex(train.values(), args.n)
  print(f'{len(index)} runs of {args.n} note steps in {index.num_pieces} '
        f'{args.genre} pieces of {args.train}.')
  samples = {arm: sum((bench_pooled_reference.saved_samples(
      args.work_dir, seed, args.genre, arm) for seed in seeds), [])
             for arm in args.arms.split(',')}
  first = next(iter(samples.values()))
  length, count = report.reference_size(first[:len(first) // len(seeds)])
  sets = dict(samples)
  for spec in args.held_out.split(','):
    pieces = bench_pooled_reference.split_pieces(spec, args.genre,
                                                 args.data_dir)
    sets[f'real: {spec}'] = real_data.crops_in_turn(
        list(pieces.values()), length, count, seed=0)[0]
  rows = []
  for name, sequences in sets.items():
    result = copying.measure(sequences, index)
    share = result['copied_share']
    rows.append({'set': name, 'sequences': result['n'],
                 'copied_percent': None if share is None else 100 * share,
                 'interval_percent': None if share is None else [
                     100 * bound for bound in result['interval']],
                 'longest_copy_median': result['longest_copy'],
                 'longest_copy_max': result['max_longest_copy']})
  tables.print_markdown(rows, ('set', 'sequences', 'copied_percent',
                               'interval_percent', 'longest_copy_median',
                               'longest_copy_max'))
  if args.json:
    print(json.dumps({'train': args.train, 'n': args.n, 'rows': rows}))


if __name__ == '__main__':
  main()
