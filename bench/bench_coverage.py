r"""Which of a genre's sources do the samples cover, and how real is each?

  python bench/bench_coverage.py --model_dir runs/small --genre classical \
      --settings 0.85/0.95,1.0/0.95,1.0/1.0,0.85/0.95/16 --split test --json

A genre of `corpus_genre` gathers music21 corpus folders (its example ids
begin with one: classical is `bach` for 97 of its 119 train pieces, then
`mozart`, `haydn`, ...). Sources with at least --min_share of the genre's
train pieces keep their name; the rest are `other`. A random forest on the
evaluator's features (evaluation/features.py) learns to tell the sources
apart from train crops, then says which source each crop is like:

- real rows: the crops of each split as the reports draw them (64 at a
  time, taking the pieces in turn), what share of them it calls each
  source;
- sample rows, one per setting `T/top_p[/hot]`: --num_samples samples of
  --length tokens from the genre token, the first `hot` of them drawn at T
  1.0, top-p 1.0 (a piece's style is chosen early) and the rest at the
  setting; the share called each source, then C2ST against the --split
  crops of the genre and of each source alone, and the held time.

So a two-sample test that tells samples from real music can be read as
"they lack a source" (low share) or "they render it badly" (high C2ST
against that source), which call for different levers.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import collections
import json
import time

import numpy as np
from sklearn import ensemble

import bench_decoding  # bench/bench_decoding.py
import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.generation import sampling

OTHER = 'other'
CROPS = 64  # Real crops per row, as the reports draw them.
TRAIN_CROPS = 200  # Train crops per source for the source classifier.


def source_of(example_id: str) -> str:
  """corpus_genre's example id -> its music21 corpus folder."""
  return example_id.split('/', 1)[0]


def source_groups(named_pieces, min_share: float) -> dict:
  """{source: group}: a source keeps its name with at least min_share of
  the pieces, else it is OTHER."""
  counts = collections.Counter(source_of(name) for name, _ in named_pieces)
  total = sum(counts.values())
  return {source: source if count >= min_share * total else OTHER
          for source, count in counts.items()}


def by_group(named_pieces, groups: dict) -> dict:
  """{group: [tokens]} (a source unseen in train: OTHER)."""
  out = collections.defaultdict(list)
  for name, tokens in named_pieces:
    out[groups.get(source_of(name), OTHER)].append(tokens)
  return dict(out)


def shares(classifier, matrix, names) -> dict:
  called = classifier.predict(matrix)
  return {f'called_{name}': float(np.mean(called == name)) for name in names}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  bench_decoding.add_generator_flags(parser)
  parser.add_argument('--settings', default='0.85/0.95,1.0/1.0')
  parser.add_argument('--num_samples', type=int, default=128)
  parser.add_argument('--length', type=int, default=512)
  parser.add_argument('--split', default='validation',
                      choices=('validation', 'test'))
  parser.add_argument('--min_share', type=float, default=0.1)
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  config, music = bench_decoding.load_music(args)
  named = {split: music.named_tokens(split, args.genre)
           for split in ('train', 'validation', 'test')}
  groups = source_groups(named['train'], args.min_share)
  pieces = {split: by_group(named[split], groups) for split in named}
  names = sorted(pieces['train'])
  x, y = [], []
  for name in names:
    crops, _ = real_data.crops_in_turn(pieces['train'][name], args.length,
                                       TRAIN_CROPS, args.seed + 1)
    x.append(features.feature_matrix(crops))
    y += [name] * len(crops)
  classifier = ensemble.RandomForestClassifier(
      300, random_state=args.seed).fit(np.concatenate(x), y)

  rows = []
  for split in named:
    crops, _ = real_data.crops_in_turn([t for _, t in named[split]],
                                       args.length, CROPS, args.seed + 2)
    rows.append({'set': f'real {split}', 'pieces': ', '.join(
        f'{name} {len(pieces[split].get(name, []))}' for name in names),
                 **shares(classifier, features.feature_matrix(crops), names)})
  references = {}
  for name in [None] + names:
    tokens = ([t for _, t in named[args.split]] if name is None else
              pieces[args.split].get(name, []))
    crops, crop_groups = real_data.crops_in_turn(tokens, args.length, CROPS,
                                                 args.seed)
    references[name] = (features.feature_matrix(crops), crop_groups)

  model, vocabulary = bench_decoding.generator(args, config, music.genres)
  prompts = np.full([args.num_samples, 1], vocabulary.genre_token(args.genre),
                    np.int32)
  hot = sampling.Sampler(model, 1.0, top_p=1.0,
                         jit_compile=config.sampling.jit_compile)
  for setting in args.settings.split(','):
    temperature, top_p, *rest = (float(v) for v in setting.split('/'))
    hot_tokens = int(rest[0]) if rest else 0
    began = time.time()
    start = (hot.generate(prompts, hot_tokens, seed=args.seed + 1)
             if hot_tokens else prompts)
    sampler = sampling.Sampler(model, temperature, top_p=top_p,
                               jit_compile=config.sampling.jit_compile)
    samples = list(sampler.generate(start, args.length - hot_tokens,
                                    seed=args.seed)[:, 1:])
    matrix = features.feature_matrix(samples)
    row = {'set': 'generated', 'temperature': temperature, 'top_p': top_p,
           'hot': hot_tokens, **shares(classifier, matrix, names),
           'held_time': report.held_time_share(samples, args.seed)[0],
           'sample_seconds': time.time() - began}
    for name, (reference, crop_groups) in references.items():
      row['c2st' if name is None else f'c2st_{name}'] = realism.c2st(
          matrix, reference, crop_groups, seed=args.seed)['accuracy']
    rows.append(row)
    print(f'{setting}: {row["sample_seconds"]:.0f} s', flush=True)
  columns = (['set', 'pieces', 'temperature', 'top_p', 'hot'] +
             [f'called_{name}' for name in names] + ['c2st'] +
             [f'c2st_{name}' for name in names] + ['held_time'])
  print(f'Reference: {args.split}; sources {groups}')
  tables.print_markdown(rows, columns)
  if args.json:
    print(json.dumps({'machine': machine.describe(), 'args': vars(args),
                      'groups': groups, 'rows': rows}))


if __name__ == '__main__':
  main()
