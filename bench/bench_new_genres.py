r"""Genres the shipped generator has not learned: start from it, or from
nothing? NLL against steps.

  python bench/bench_new_genres.py --data_dir <data_dir> \
      --work_dir runs/bench_new_genres --steps 400 --eval_every 100 --json

A user's own folders, as music the shipped generator never heard:
`corpus_genre/small`'s test pieces (`full` keeps them and their
near-duplicates out of its train split) written one folder per genre and
built as `midi_folders` (its own split by file), under names
the generator does not know (RENAMED: classical -> chorales, folk ->
tunes, early -> motets). Each variant trains `small` on that dataset's
train split, all genres, with the config's augmentation, for --steps, and
every --eval_every steps measures its NLL (nats/token) per genre on
`corpus_genre/small`'s validation pieces, which no variant trains on,
their genre tokens renamed alike:

- `scratch`: random weights, the config's warm-up from step 0;
- `shipped`: the shipped generator, its genre rows adapted
  (models/pretrained.py's genre_rows: a new genre starts from the mean of
  the genres it knows), its schedule continued, as `genre_gan_train`
  starts a run on such a dataset;
- `named`: the same folders under the names the generator knows, so their
  rows are its own: what starting new genres from the mean costs.

Compare variants within one run only: machines are shared.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import json
import os

import tensorflow as tf

import bench_pretrain  # bench/bench_pretrain.py
import machine  # bench/machine.py
from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.data import corpus_lib
from genre_transformer_gan.evaluation import likelihood

REFERENCE = 'corpus_genre/small'
RENAMED = {'classical': 'chorales', 'folk': 'tunes', 'early': 'motets'}
VARIANTS = ('scratch', 'shipped', 'named')


def write_folders(data_dir: str, root: str, names: dict) -> dict:
  """Writes the MIDI of corpus_genre/small's test pieces into
  root/<names[genre]>/<id>.mid (music21's renderings that build kept or
  the package ships); returns {folder: files}."""
  from tfds_builders.corpus_genre import corpus_genre_dataset_builder  # pylint: disable=import-outside-toplevel
  builder = datasets.get_builder(REFERENCE, data_dir=data_dir)
  genres = datasets.get_vocabulary(builder).genres
  test = {example['id'].decode(): genres[int(example['genre'])]
          for example in builder.as_dataset(split='test').as_numpy_iterator()}
  pieces = [piece for piece in corpus_lib.list_pieces() if piece.id in test]
  if len(pieces) < len(test):
    raise ValueError(f'{len(test) - len(pieces)} test pieces are not in '
                     'music21\'s corpus here; another music21 version?')
  cache = corpus_genre_dataset_builder.kept_renderings(data_dir)
  counts = {}
  for piece in pieces:
    name = names[test[piece.id]]
    os.makedirs(os.path.join(root, name), exist_ok=True)
    path = os.path.join(root, name, piece.id.replace('/', '_') + '.mid')
    if not os.path.exists(path):
      with open(path, 'wb') as f:
        f.write(corpus_lib.piece_to_midi(piece, cache))
    counts[name] = counts.get(name, 0) + 1
  return counts


def renamed_reference(data_dir: str, config, vocabulary, names: dict,
                      batches: int) -> dict:
  """{genre: corpus_genre/small's validation batches of the genre, its
  genre token that of names[genre] in the folder dataset's vocabulary}."""
  small = datasets.get_builder(REFERENCE, data_dir=data_dir)
  small_vocabulary = datasets.get_vocabulary(small)
  reference = {}
  for genre, data in likelihood.genre_batches(small, 'validation', config,
                                              batches).items():
    old = small_vocabulary.genre_token(genre)
    new = vocabulary.genre_token(names[genre])
    reference[genre] = data.map(
        lambda batch, old=old, new=new: tf.where(batch == old, new, batch)
    ).cache()
  return reference


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--data_dir', required=True,
                      help='Where corpus_genre/small is (or is built).')
  parser.add_argument('--work_dir', default='runs/bench_new_genres')
  parser.add_argument('--variants', default=','.join(VARIANTS))
  parser.add_argument('--steps', type=int, default=400,
                      help='Training steps of each variant.')
  parser.add_argument('--eval_every', type=int, default=100)
  parser.add_argument('--eval_batches', type=int, default=10)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  variants = args.variants.split(',')
  unknown = set(variants) - set(VARIANTS)
  if unknown:
    raise SystemExit(f'Unknown variants {sorted(unknown)}; choose from '
                     f'{", ".join(VARIANTS)}.')
  small = configs.get_config('small')
  results = {'machine': machine.describe(), 'steps': args.steps,
             'variants': {}}
  for name in variants:
    names = (RENAMED if name != 'named' else
             {genre: genre for genre in RENAMED})
    kind = 'named' if name == 'named' else 'renamed'
    manual_dir = os.path.join(args.work_dir, f'midi_{kind}')
    counts = write_folders(args.data_dir, manual_dir, names)
    builder = datasets.get_builder(
        'midi_folders', data_dir=os.path.join(args.work_dir, f'data_{kind}'),
        manual_dir=manual_dir)
    vocabulary = datasets.get_vocabulary(builder)
    print(f'{name}: midi_folders of {counts} pieces, '
          f'{builder.info.splits["train"].num_examples} in its train split',
          flush=True)
    reference = renamed_reference(args.data_dir, small, vocabulary, names,
                                  args.eval_batches)
    variant = (bench_pretrain.WARM + name) if name != 'scratch' else name
    points, _, _ = bench_pretrain.train(
        variant, small, builder, reference, float('inf'), args.eval_every,
        args.work_dir, steps=args.steps)
    results['variants'][name] = {'genres': list(vocabulary.genres),
                                 'pieces': counts, 'points': points}
  print_table(results)
  if args.json:
    print(json.dumps(results))


def print_table(results) -> None:
  """Markdown: NLL per genre (corpus_genre/small's names) and its mean, by
  variant and added step."""
  genres = list(RENAMED)
  print('| variant | steps | ' + ' | '.join(
      f'{genre} ({RENAMED[genre]})' for genre in genres) + ' | mean |')
  print('|---' * (len(genres) + 3) + '|')
  for name, variant in results['variants'].items():
    for point in variant['points']:
      values = [point['nll'][genre] for genre in genres]
      print(f'| {name} | {point["added"]} | ' + ' | '.join(
          f'{v:.3f}' for v in values) + f' | {sum(values) / len(values):.3f} |')


if __name__ == '__main__':
  main()
