r"""Genre transfer strength: how far re-conditioning moves the judged genre.

  python bench/bench_transfer.py --generator noise=uniform \
      --generator mle=runs/bench_gan/models/seed0_start \
      --generator gan=runs/bench_gan/models/seed0_classical_E/adversarial_classical \
      --directions folk:classical --primers 32 --json

For each direction A:B, --primers windows of held-out pieces of genre A
(--split, test by default; a window every --stride tokens) give a primer
(--primer_tokens) and the real continuation (--length tokens). Each generator continues every primer
conditioned on A and on B, with its config's sampling settings, and the
independent evaluator judges the continuations (evaluation/transfer.py):
S_A->B = 1/2 [P_A(on A) - P_A(on B) + P_B(on B) - P_B(on A)], rejected
continuations counting as no genre, and Brunner et al. 2018's form
1/2 [P_A(real) - P_A(on B) + P_A(on A) - P_A(on B)] beside it (their
CycleGAN: S_tot about 70 % on jazz <-> classic); S_tot is the mean over the
directions. `--generator noise=uniform` adds the negative: uniformly drawn
event tokens for both conditionings (it must score S near 0). A generator
given as `name=PATH@T+GUIDANCE` decodes at temperature T (default: its
config's) and continues with generation/guidance.py's GUIDANCE toward each
conditioning's genre (`+rerank:4` with `--guide` the start's K+1 classifier
is the DRS of bench_gan.py; the primer is not scored). Prints a
table; --json: the last line is {"rows": [...], "totals": {...}}.
"""

import argparse
import json
import time

import numpy as np

import tables  # bench/tables.py
from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import negatives
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import transfer
from genre_transformer_gan.generation import guidance
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.training import run_lib


def _parse():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--generator', action='append', required=True,
                      help='name=path (model_dir, adversarial_<genre> '
                      'folder or checkpoint); repeat for each generator.')
  parser.add_argument('--directions', default='folk:classical,classical:folk')
  parser.add_argument('--config', default='small',
                      help='Config of the evaluator (its training crops).')
  parser.add_argument('--dataset', default=None)
  parser.add_argument('--data_dir', default=None)
  parser.add_argument('--evaluator_dir', default=None,
                      help='Default: the runs/evaluator of the dataset.')
  parser.add_argument('--split', default='test',
                      choices=['validation', 'test'])
  parser.add_argument('--primers', type=int, default=32)
  parser.add_argument('--primer_tokens', type=int, default=128)
  parser.add_argument('--length', type=int, default=256,
                      help='Continuation tokens judged (at least the '
                      "evaluator's shortest training crop).")
  parser.add_argument('--stride', type=int, default=64,
                      help='Windows start every --stride tokens of a piece '
                      '(the small test split has few long folk pieces); '
                      'the intervals resample pieces, not windows.')
  parser.add_argument('--guide', default=None,
                      help='Classifier for generators given with +GUIDANCE '
                      "(e.g. a bench_gan start's classifier_generated).")
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--json', action='store_true')
  return parser.parse_args()


def _continuations(spec, vocabulary, seed, guide_path=None):
  """(genre token, primers, length) -> continuations, of `spec`'s generator.

  spec: PATH[@T][+GUIDANCE]; 'uniform': uniformly drawn event tokens,
  whatever the genre token.
  """
  path, _, steer_spec = spec.partition('+')
  path, _, temperature = path.partition('@')
  if path == 'uniform':
    def noise(genre_token, primers, length):
      del genre_token
      streams = negatives.uniform(len(primers), length, seed=seed)
      return np.stack(streams).astype(np.int32)
    return noise
  model, config, _ = generator_io.load_generator(path, vocabulary.genres)
  temperature = float(temperature or config.sampling.temperature)
  if not steer_spec:
    sampler = sampling.Sampler(model, temperature, config.sampling.top_k,
                               config.sampling.top_p)
    return lambda token, primers, length: transfer.continue_primers(
        sampler, token, primers, length, seed=seed)
  if not guide_path:
    raise SystemExit(f'{spec}: pass --guide, the classifier that guides.')
  steer = guidance.Guidance.parse(steer_spec)
  names = {vocabulary.genre_token(g): g for g in vocabulary.genres}
  classifier = classifier_io.load_classifier(guide_path, vocabulary.genres,
                                             list(vocabulary.genres))

  class Guided:
    """A Sampler's generate(prompts, num_tokens, seed) that draws with
    guidance toward the prompts' genre (for transfer.continue_primers)."""

    def __init__(self, genre):
      self.genre = genre
      self.sampler = guidance.make_sampler(
          model, vocabulary, genre, steer, temperature,
          config.sampling.top_k, config.sampling.top_p,
          config.sampling.jit_compile)

    def generate(self, prompts, num_tokens, seed):
      drawn = guidance.draw(self.sampler, steer, prompts, num_tokens, seed,
                            classifier, self.genre)  # The genre token dropped.
      return np.concatenate([prompts[:, :1], drawn], axis=1)

  return lambda token, primers, length: transfer.continue_primers(
      Guided(names[int(token)]), token, primers, length, seed=seed)


def main():
  args = _parse()
  config = configs.get_config(args.config)
  builder = datasets.get_builder(args.dataset or config.dataset,
                                 data_dir=args.data_dir)
  music = real_data.RealMusic(builder)
  vocabulary = datasets.get_vocabulary(builder)
  directions = [tuple(d.split(':')) for d in args.directions.split(',')]
  if any(len(d) != 2 for d in directions):
    raise SystemExit('--directions takes source:target pairs, e.g. '
                     'folk:classical,classical:folk.')
  genres = sorted({g for d in directions for g in d})
  unknown = sorted(set(genres) - set(vocabulary.genres))
  if unknown:
    raise SystemExit(f'Unknown genres {unknown}; the dataset has '
                     f'{", ".join(vocabulary.genres)}.')
  evaluator = run_lib.load_evaluator(
      config, music, genres[0], args.evaluator_dir or
      run_lib.default_evaluator_dir('runs/x', music.name))
  pieces = music.pieces(args.split, genres)
  by_genre = {g: [t for t, label in pieces if label == i]
              for i, g in enumerate(genres)}
  rows, start = [], time.time()
  for spec in args.generator:
    name, path = spec.split('=', 1)
    continue_fn = _continuations(path, vocabulary, args.seed, args.guide)
    for source, target in directions:
      primers, real, owners = transfer.windows(
          by_genre[source], args.primer_tokens, args.length, args.primers,
          args.stride)
      if len(primers) < args.primers:
        print(f'{source}: only {len(primers)} windows of '
              f'{args.primer_tokens + args.length} tokens in {args.split}',
              flush=True)
      result = transfer.measure(continue_fn, vocabulary, evaluator, primers,
                                real, source, target, pieces=owners)
      rows.append({'generator': name, 'direction': f'{source}->{target}',
                   **result})
      print(f'{name} {source}->{target}: S {result["strength"]:.3f} '
            f'{np.round(result["strength_interval"], 3).tolist()}, judged '
            f'{target} {result["judged_target"]:.2f}, rejected '
            f'{result["rejected"]:.2f} ({(time.time() - start) / 60:.1f} '
            'min)', flush=True)
  names = list(dict.fromkeys(r['generator'] for r in rows))
  totals = {name: {key: transfer.total(
      [r for r in rows if r['generator'] == name], key)
                   for key in ('strength', 'strength_brunner')}
            for name in names}
  tables.print_markdown(rows, (
      'generator', 'direction', 'strength', 'strength_interval',
      'strength_brunner', 'p_source_real', 'p_source_same', 'p_source_transferred',
      'p_target_transferred', 'judged_target', 'judged_source', 'rejected',
      'rejected_same', 'primers', 'pieces'))
  print('S_tot (Brunner form): ' + ', '.join(
      f'{name} {value["strength"]:.3f} ({value["strength_brunner"]:.3f})'
      for name, value in totals.items()))
  if args.json:
    print(json.dumps({'split': args.split, 'primer_tokens':
                      args.primer_tokens, 'length': args.length,
                      'rows': rows, 'totals': totals}))


if __name__ == '__main__':
  main()
