r"""Times the note_seq reference recipe against encode_midi on the same files.

  python bench/bench_tokenize.py                      # music21 corpus pieces
  python bench/bench_tokenize.py --synthetic           # 480-tick files, as Lakh
  python bench/bench_tokenize.py --midi_dir=~/lmd_matched --max_files=2000
  python bench/bench_tokenize.py --json               # last line: JSON

Both paths run in this one process on the same bytes (read once, up front),
so the ratio is fair on a shared machine. A file both paths reject counts as
identical.
"""

import argparse
import glob
import json
import os
import time

import numpy as np

import machine  # bench/machine.py
from genre_transformer_gan.data import corpus_lib
from genre_transformer_gan.data import errors
from genre_transformer_gan.data import midi_reference
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.testing import synthetic_midi


def _corpus_files(num):
  pieces = corpus_lib.list_pieces(max_per_genre=num // 3 + 1,
                                  max_file_bytes=60_000)[:num]
  files = []
  for piece in pieces:
    try:
      files.append((piece.id, corpus_lib.piece_to_midi(piece)))
    except Exception:  # pylint: disable=broad-except
      pass
  return files


def _synthetic_files(num):
  """Lakh-like files: 480 ticks per quarter, a few instruments, drums."""
  files = []
  for i in range(num):
    data = synthetic_midi.style_midi(i % 4, seed=i, num_notes=300,
                                     program=i % 8, with_drums=i % 2 == 0)
    files.append((f'synthetic_{i}', data))
  return files


def _run(encode, files):
  results = []
  start = time.perf_counter()
  for _, data in files:
    try:
      results.append(encode(data))
    except errors.UnreadableMidiError:
      results.append(None)
  return time.perf_counter() - start, results


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--midi_dir', help='Folder of .mid/.midi files '
                      '(recursive). Default: pieces of music21\'s corpus.')
  parser.add_argument('--synthetic', action='store_true',
                      help='Generated Lakh-like files instead of the corpus.')
  parser.add_argument('--max_files', type=int, default=300)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  if args.midi_dir:
    paths = sorted(p for p in glob.glob(
        os.path.join(os.path.expanduser(args.midi_dir), '**', '*'),
        recursive=True) if p.lower().endswith(('.mid', '.midi')))
    files = [(p, open(p, 'rb').read()) for p in paths[:args.max_files]]
    source = args.midi_dir
  elif args.synthetic:
    files = _synthetic_files(args.max_files)
    source = 'generated, 480 ticks per quarter (synthetic_midi.style_midi)'
  else:
    files = _corpus_files(args.max_files)
    source = "music21 corpus (rendered by music21)"
  reference_s, reference = _run(midi_reference.encode_midi_reference, files)
  fast_s, fast = _run(tokenizer.encode_midi, files)
  identical = all(
      (a is None and b is None) or (a is not None and b is not None and
                                    np.array_equal(a, b))
      for a, b in zip(reference, fast))
  tokens = sum(len(a) for a in reference if a is not None)
  rejected = sum(a is None for a in reference)
  result = {
      'files': len(files),
      'reference_files_per_s': len(files) / reference_s,
      'fast_files_per_s': len(files) / fast_s,
      'identical': identical,
  }
  print(f'source: {source}; {len(files)} files, {tokens} tokens, '
        f'{rejected} rejected by the reference')
  print(f'machine: {machine.describe()["cpu"]}, {os.cpu_count()} cores')
  print(f'{"path":<12}{"seconds":>10}{"files/s":>10}{"tokens/s":>12}')
  print(f'{"reference":<12}{reference_s:>10.2f}'
        f'{result["reference_files_per_s"]:>10.1f}{tokens / reference_s:>12.0f}')
  print(f'{"encode_midi":<12}{fast_s:>10.2f}{result["fast_files_per_s"]:>10.1f}'
        f'{tokens / fast_s:>12.0f}')
  print(f'speed-up {reference_s / fast_s:.1f}x (target >= 5x); identical: '
        f'{identical}')
  if args.json:
    print(json.dumps(result))


if __name__ == '__main__':
  main()
