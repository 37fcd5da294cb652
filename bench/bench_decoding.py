r"""Choosing the decoding settings on validation music, reporting on test.

  python bench/bench_decoding.py --pretrained --genre classical \
      --temperatures 1.0,0.95,0.9,0.85,0.8 --top_ps 0.95,1.0 \
      --num_samples 64 --length 1024 --split validation --json
  python bench/bench_decoding.py --model_dir runs/small --genre classical \
      --temperatures 0.9 --top_ps 0.95 --split test --json

For each (temperature, top-p) pair: --num_samples samples of --length event
tokens from the genre token (the package's sampler, sliding window and all),
judged against real crops of the genre from --split (the reference), all
of the same length: held-note share (notes longer than 4 s), held time (the
share of the time such a note sounds), mean notes sounding (time-weighted,
while anything sounds), the independent evaluator's
fidelity and reject rate, and the two-sample realism figures (C2ST accuracy,
Fréchet distance of standardised features), each with a bootstrap interval.
Real crops of the other held-out split (other pieces) get the same row, so
every number has its real counterpart beside it. With --split validation the setting with the lowest
Fréchet distance is named "chosen"; the test split only reports.

The generator is a genre_gan_train run (--model_dir: its adversarial stage
for the genre if trained, else MLE) or the shipped pretrained one
(--pretrained). The evaluator is --evaluator_dir or trained into
--work_dir on first use (minutes).
"""

import argparse
import json
import os
import time

import numpy as np

import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.generation import audio
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import pretrained

_POLYPHONY = features.group_slices()['polyphony'].start


def add_generator_flags(parser) -> None:
  """--config, --dataset, --data_dir, --model_dir | --pretrained, --genre:
  the generator `generator` loads and the music it is judged on."""
  parser.add_argument('--config', default='small')
  parser.add_argument('--dataset', default=None)
  parser.add_argument('--data_dir', default=None)
  source = parser.add_mutually_exclusive_group(required=True)
  source.add_argument('--model_dir')
  source.add_argument('--pretrained', action='store_true')
  parser.add_argument('--genre', default='classical')


def load_music(args):
  """(config, evaluation/real_data.RealMusic) of add_generator_flags'
  --config, --dataset and --data_dir."""
  config = configs.get_config(args.config)
  return config, real_data.RealMusic(datasets.get_builder(
      args.dataset or config.dataset, data_dir=args.data_dir))


def generator(args, config, genres):
  """(model, vocabulary) of --model_dir (its genre stage) or the shipped
  generator (--pretrained)."""
  if args.pretrained:
    model = generators.build(config, vocab.Vocabulary(genres).size)
    pretrained.load_weights(model, config.name)
    return model, vocab.Vocabulary(genres)
  loaded = generate_lib.load(args.model_dir, args.genre)
  return loaded.model, loaded.vocabulary


def _real_crops(music, genre, split, length, count, seed):
  pieces = [t for t, _ in music.pieces(split, [genre])]
  return real_data.crops_in_turn(pieces, length, count, seed)


def measure(token_lists, evaluator, genre, reference, groups=None, seed=0):
  """The row's numbers for sequences judged against reference crops."""
  matrix = features.feature_matrix(token_lists)
  judged = evaluator.verdicts_of_features(matrix)
  target = vocab.Vocabulary(evaluator.genres).genre_id(genre)
  c2st = realism.c2st(matrix, reference.matrix, reference.groups,
                      sample_groups=groups, seed=seed)
  gate = evaluator.gate
  frechet = realism.frechet(matrix, reference.matrix, gate.mean, gate.scale,
                            seed=seed)
  held, held_interval = report.held_note_share(token_lists, seed)
  held_time, held_time_interval = report.held_time_share(token_lists, seed)
  return {
      'n': len(token_lists),
      'held_notes': held, 'held_notes_interval': held_interval,
      'held_time': held_time, 'held_time_interval': held_time_interval,
      'sounding': float(matrix[:, _POLYPHONY].mean()),
      'sounding_interval': realism.bootstrap_interval(
          matrix[:, _POLYPHONY], seed=seed),
      'fidelity': float(np.mean(judged['judged'] == target)),
      'reject_rate': float(np.mean(
          judged['judged'] == evaluator_lib.REJECTED)),
      'c2st': c2st['accuracy'], 'c2st_interval': c2st['interval'],
      'frechet': frechet['distance'],
      'frechet_interval': frechet['interval']}


def _write(samples, args, temperature, top_p):
  directory = os.path.join(args.work_dir, 'samples',
                           f'{args.genre}_t{temperature}_p{top_p}')
  settings = generate_lib.GenerateSettings(
      genre=args.genre, synth=audio.resolve_synth('auto')[0])
  for i, tokens in enumerate(samples):
    generate_lib.write_piece(tokens, directory, f'{args.genre}_{i:02d}',
                             settings, f'{args.genre} T={temperature} '
                             f'top-p={top_p} #{i}')


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  add_generator_flags(parser)
  parser.add_argument('--temperatures', default='1.0,0.9')
  parser.add_argument('--top_ps', default='0.95')
  parser.add_argument('--num_samples', type=int, default=64)
  parser.add_argument('--length', type=int, default=1024)
  parser.add_argument('--split', default='validation',
                      choices=('validation', 'test'))
  parser.add_argument('--seed', type=int, default=0)
  parser.add_argument('--evaluator_dir', default=None)
  parser.add_argument('--work_dir', default='runs/bench_decoding')
  parser.add_argument('--write', type=int, default=0,
                      help='Write the first N samples of each setting as '
                      'MIDI, WAV and piano roll under --work_dir/samples.')
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()

  config, music = load_music(args)
  genres = music.genres
  if args.evaluator_dir:
    evaluator = evaluator_lib.FeatureEvaluator.load(args.evaluator_dir,
                                                    genres)
  else:
    evaluator, _ = evaluator_lib.load_or_train(
        config, music, os.path.join(args.work_dir, 'evaluator'), genres,
        seed=args.seed)
  model, vocabulary = generator(args, config, genres)
  # The reference is --split; the real row is the other held-out split
  # (other pieces), judged against it the same way as the samples.
  crops, groups = _real_crops(music, args.genre, args.split, args.length,
                              args.num_samples, args.seed)
  reference = report.Reference(features.feature_matrix(crops), groups,
                               args.split, None, None,
                               *report.held_time_share(crops, args.seed,
                                                       groups))
  print(f'Realism reference: {reference.describe()}', flush=True)
  other = 'test' if args.split == 'validation' else 'validation'
  crops, groups = _real_crops(music, args.genre, other, args.length,
                              args.num_samples, args.seed + 2)
  rows = [{'set': f'real ({other})', 'temperature': None, 'top_p': None,
           **measure(crops, evaluator, args.genre, reference, groups,
                     args.seed)}]
  prompts = np.full([args.num_samples, 1],
                    vocabulary.genre_token(args.genre), np.int32)
  for top_p in [float(v) for v in args.top_ps.split(',')]:
    for temperature in [float(v) for v in args.temperatures.split(',')]:
      began = time.time()
      sampler = sampling.Sampler(model, temperature, top_p=top_p)
      samples = sampler.generate(prompts, args.length, seed=args.seed)[:, 1:]
      seconds = time.time() - began
      rows.append({'set': 'generated', 'temperature': temperature,
                   'top_p': top_p, 'sample_seconds': seconds,
                   **measure(list(samples), evaluator, args.genre,
                             reference, seed=args.seed)})
      print(f'T={temperature} top_p={top_p}: {seconds:.0f} s', flush=True)
      _write(samples[:args.write], args, temperature, top_p)
  if args.split == 'validation':
    best = min((r for r in rows if r['set'] == 'generated'),
               key=lambda r: r['frechet'])
    best['set'] = 'generated (chosen)'
  columns = ['set', 'temperature', 'top_p', 'n', 'held_notes', 'held_time',
             'sounding', 'fidelity', 'reject_rate', 'c2st', 'c2st_interval',
             'frechet', 'frechet_interval']
  tables.print_markdown(rows, columns)
  if args.json:
    print(json.dumps({'machine': machine.describe(), 'args': vars(args),
                      'reference': reference.describe(), 'rows': rows}))


if __name__ == '__main__':
  main()
