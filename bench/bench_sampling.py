r"""Sampling speed: cached vs uncached, relative vs absolute attention.

  python bench/bench_sampling.py                  # config small, 1024 tokens
  python bench/bench_sampling.py --config tiny --length 256 --json
  python bench/bench_sampling.py --generator wavenet   # Fast WaveNet

All in one run on one machine, models at the config's size with max_len set
to --length (so no sliding window is involved):

  cached     Sampler: one compiled while-loop, one cached step per token
  cached XLA the same Sampler with jit_compile (what `small` samples with)
  uncached   the full forward pass over the whole prefix for every token
             (what tensor2tensor's relative attention does)
  absolute   the cached sampler on the `absolute` variant of the same size

plus the largest |cached - full forward| logit difference over the rollout.
Targets: cached >= 10x uncached at 1024 tokens; relative within 1.3x of
absolute. `--generator lstm|wavenet` measures that family's incremental
sampler (state / Fast WaveNet queues) against its full forward pass the
same way (no absolute variant). `--json`: the last line is a JSON object.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import dataclasses
import json
import os
import time

import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import music_transformer

_VOCAB = vocab.GENRE_OFFSET + 3


def _timed_cached(model, length, batch, jit_compile=False):
  sampler = sampling.Sampler(model, top_k=1, jit_compile=jit_compile)
  prompts = np.full((batch, 1), vocab.GENRE_OFFSET, np.int32)
  sampler.generate(prompts, 8)  # trace and compile
  start = time.perf_counter()
  tokens = sampler.generate(prompts, length - 1)
  return batch * (length - 1) / (time.perf_counter() - start), tokens


def _timed_uncached(model, length, batch):
  forward = tf.function(lambda x: model(x)[:, -1],
                        input_signature=[tf.TensorSpec([batch, None],
                                                       tf.int32)])
  tokens = np.full((batch, 1), vocab.GENRE_OFFSET, np.int32)
  forward(tokens)  # trace
  allowed = np.zeros(_VOCAB, bool)
  allowed[vocab.NUM_RESERVED:vocab.GENRE_OFFSET] = True
  start = time.perf_counter()
  for _ in range(length - 1):
    logits = np.where(allowed, forward(tokens).numpy(), -np.inf)
    tokens = np.concatenate([tokens, logits.argmax(-1)[:, None]], 1)
  return batch * (length - 1) / (time.perf_counter() - start), tokens


def _max_cached_diff(model, tokens):
  full = model(tokens).numpy()
  cache = model.init_cache(tokens.shape[0], tokens.shape[1])
  step = tf.function(model.call_cached)
  worst = 0.0
  for t in range(tokens.shape[1]):
    logits, cache = step(tokens[:, t], cache, t)
    worst = max(worst, float(np.abs(logits.numpy() - full[:, t]).max()))
  return worst


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--config', default='small')
  parser.add_argument('--length', type=int, default=1024)
  parser.add_argument('--batch', type=int, default=1)
  parser.add_argument('--generator', default='transformer',
                      choices=configs.GENERATORS)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  if args.generator != 'transformer':
    _other_family(args)
    return
  model_config = dataclasses.replace(configs.get_config(args.config).transformer,
                                     max_len=args.length, dropout=0.0)
  relative = music_transformer.MusicTransformer.from_transformer_config(
      model_config, _VOCAB)
  absolute = music_transformer.MusicTransformer.from_transformer_config(
      dataclasses.replace(model_config, attention='absolute'), _VOCAB)
  cached, tokens = _timed_cached(relative, args.length, args.batch)
  xla, xla_tokens = _timed_cached(relative, args.length, args.batch, True)
  uncached, uncached_tokens = _timed_uncached(relative, args.length,
                                              args.batch)
  absolute_cached, _ = _timed_cached(absolute, args.length, args.batch)
  result = {
      'cached_tokens_per_s': cached,
      'cached_xla_tokens_per_s': xla,
      'uncached_tokens_per_s': uncached,
      'absolute_cached_tokens_per_s': absolute_cached,
      'max_abs_logit_diff': _max_cached_diff(relative, tokens),
  }
  print(f'config {args.config}, {args.length} tokens, batch {args.batch}, '
        f'{os.cpu_count()} cores; greedy sequences identical: '
        f'{bool(np.array_equal(tokens, uncached_tokens))}, under XLA: '
        f'{bool(np.array_equal(tokens, xla_tokens))}')
  print(f'{"sampler":<28}{"tokens/s":>10}')
  print(f'{"cached, relative":<28}{cached:>10.1f}')
  print(f'{"cached, relative, XLA":<28}{xla:>10.1f}')
  print(f'{"uncached, relative":<28}{uncached:>10.1f}')
  print(f'{"cached, absolute":<28}{absolute_cached:>10.1f}')
  print(f'cached / uncached {cached / uncached:.1f}x (target >= 10x); '
        f'XLA / cached {xla / cached:.2f}x; '
        f'absolute / relative {absolute_cached / cached:.2f}x (target <= '
        f'1.3x); max |cached - full| logit {result["max_abs_logit_diff"]:.2e}')
  if args.json:
    print(json.dumps(result))


def _other_family(args):
  config = configs.get_config(args.config, args.generator)
  config = dataclasses.replace(config, transformer=dataclasses.replace(
      config.transformer, max_len=args.length))
  model = generators.build(config, _VOCAB)
  cached, tokens = _timed_cached(model, args.length, args.batch)
  uncached, uncached_tokens = _timed_uncached(model, args.length, args.batch)
  result = {'generator': args.generator, 'cached_tokens_per_s': cached,
            'uncached_tokens_per_s': uncached,
            'max_abs_logit_diff': _max_cached_diff(model, tokens)}
  print(f'config {args.config}, generator {args.generator}, {args.length} '
        f'tokens, batch {args.batch}, {os.cpu_count()} cores; greedy '
        'sequences identical: '
        f'{bool(np.array_equal(tokens, uncached_tokens))}')
  print(f'cached {cached:.1f} tokens/s, uncached {uncached:.1f} tokens/s: '
        f'{cached / uncached:.1f}x; max |cached - full| logit '
        f'{result["max_abs_logit_diff"]:.2e}')
  if args.json:
    print(json.dumps(result))


if __name__ == '__main__':
  main()
