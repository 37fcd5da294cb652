r"""What genre guidance costs in sampling time, against plain sampling.

  python bench/bench_guidance.py --model_dir runs/small --genre folk \
      --classifier_path runs/classifier/<dataset>_small \
      --guidance none,rerank:4,chunk:4,cfg:1.5 --num_samples 8 --length 1024

Each --guidance draws the same --num_samples x --length tokens (one batch)
with genre_gan_generate's library (generate_lib.sample), as the command
does it (tracing included), and reports seconds and the ratio to `none`
measured in the same run.
"""

import argparse
import json
import time

import machine  # bench/machine.py
import tables  # bench/tables.py
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.models import classifier_io


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--model_dir', required=True)
  parser.add_argument('--genre', default='folk')
  parser.add_argument('--classifier_path', required=True)
  parser.add_argument('--guidance', default='none,rerank:4,chunk:4,cfg:1.5')
  parser.add_argument('--num_samples', type=int, default=8)
  parser.add_argument('--length', type=int, default=1024)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  generator = generate_lib.load(args.model_dir)
  classifier = classifier_io.load_classifier(
      args.classifier_path, generator.vocabulary.genres, [args.genre])
  rows = []
  for spec in args.guidance.split(','):
    settings = generate_lib.GenerateSettings(
        genre=args.genre, num_samples=args.num_samples, length=args.length,
        batch_size=args.num_samples, guidance=spec)
    start = time.perf_counter()
    generate_lib.sample(generator, settings, log=lambda _: None,
                        classifier=classifier)
    rows.append({'guidance': spec, 'seconds': time.perf_counter() - start})
  for row in rows:
    row['vs_none'] = row['seconds'] / rows[0]['seconds']
  tables.print_markdown(rows, ('guidance', 'seconds', 'vs_none'))
  if args.json:
    print(json.dumps({'model_dir': args.model_dir, 'genre': args.genre,
                      'num_samples': args.num_samples,
                      'length': args.length, 'rows': rows,
                      **machine.describe()}))


if __name__ == '__main__':
  main()
