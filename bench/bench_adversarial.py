r"""Adversarial step time: full vs parallel rollout gradients, in one run.

  python bench/bench_adversarial.py                 # config small
  python bench/bench_adversarial.py --config tiny --steps 3 --json

Times AdversarialTrainer steps (rollout of sample_len tokens, frozen
classifier, critic, MLE regulariser, both updates) on random-init models and
generated token data (no dataset needed), once with gradients through the
whole cached rollout ('full') and once with the parallel recomputation
('parallel'). `--json`: the last line is a JSON object.
"""

# First: importing the package turns on oneDNN before TensorFlow loads.
import genre_transformer_gan  # pylint: disable=unused-import
import argparse
import dataclasses
import json
import os
import tempfile
import time

import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.training import adversarial
from genre_transformer_gan.training import mle

_GENRES = ('a', 'b', 'c')


def _dataset_fn(config):
  settings = config.adversarial
  rng = np.random.default_rng(0)
  real = rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                      [settings.batch_size, settings.primer_len +
                       settings.sample_len]).astype(np.int32)
  mle_batch = rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                           [settings.mle_batch_size, config.max_len]
                           ).astype(np.int32)
  mle_batch[:, 0] = vocab.GENRE_OFFSET
  return lambda context: tf.data.Dataset.from_tensors(
      (real, mle_batch)).repeat()


def _time(config, gradient, steps, root):
  config = dataclasses.replace(config, adversarial=dataclasses.replace(
      config.adversarial, rollout_gradient=gradient, log_every=10**6,
      eval_every=10**6, checkpoint_every=10**6))
  vocabulary = vocab.Vocabulary(_GENRES)
  model_dir = os.path.join(root, gradient)
  mle.MleTrainer(config, vocabulary.size, model_dir).manager.save(0)
  classifier_dir = os.path.join(root, 'classifier')
  classifier_io.save_classifier(
      genre_classifier.GenreClassifier.from_classifier_config(
          config.classifier, vocabulary.size, _GENRES), classifier_dir, {})
  trainer = adversarial.AdversarialTrainer(
      config, vocabulary, model_dir, classifier_dir, 'a', steps + 1)
  trainer.train(_dataset_fn(config), 1)  # trace
  start = time.perf_counter()
  trainer.train(_dataset_fn(config), steps + 1)
  return (time.perf_counter() - start) / steps


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--config', default='small')
  parser.add_argument('--steps', type=int, default=5)
  parser.add_argument('--json', action='store_true')
  args = parser.parse_args()
  config = configs.get_config(args.config)
  with tempfile.TemporaryDirectory() as root:
    full = _time(config, 'full', args.steps, root)
    parallel = _time(config, 'parallel', args.steps, root)
  s = config.adversarial
  print(f'config {config.name}: {s.batch_size} rollouts x {s.sample_len} '
        f'tokens + MLE {s.mle_batch_size} x {config.max_len}')
  print('| rollout gradient | s/step |\n|---|---|')
  print(f'| full (through the cached loop) | {full:.2f} |')
  print(f'| parallel (one recomputed forward) | {parallel:.2f} |')
  print(f'full / parallel: {full / parallel:.2f}x')
  if args.json:
    print(json.dumps({'config': config.name, 'seconds_full': full,
                      'seconds_parallel': parallel,
                      'ratio': full / parallel}))


if __name__ == '__main__':
  main()
