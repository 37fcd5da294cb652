r"""Trains the genre-conditioned generator.

  genre_gan_train --phase=mle --config=small --model_dir=runs/small
  genre_gan_train --phase=mle --config=tiny --mle_steps=200 --genre=classical

--phase=mle pre-trains the Music Transformer by maximum likelihood on the
dataset (all genres, or --genre), resuming from --model_dir when it holds a
checkpoint. The adversarial phase is added by its own issue.
"""

import dataclasses
import json
import os

from absl import app
from absl import flags
from absl import logging
import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import datasets
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.scripts import script_utils
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import strategies

FLAGS = flags.FLAGS
flags.DEFINE_enum('phase', 'mle', ['mle'], 'Training phase.')
flags.DEFINE_string('config', 'small', 'tiny | small | base.')
flags.DEFINE_string('dataset', None, "TFDS dataset (default: the config's).")
flags.DEFINE_string('data_dir', None, 'TFDS data_dir.')
flags.DEFINE_string('genre', None,
                    'Comma-separated genres to train on (default: all).')
flags.DEFINE_string('model_dir', None, 'Checkpoints and TensorBoard logs '
                    '(default: runs/<config>).')
flags.DEFINE_integer('mle_steps', None, 'MLE steps (default: per config).')
flags.DEFINE_integer('seed', 0, 'Data order, crops and augmentation.')
flags.DEFINE_enum('strategy', 'auto', list(strategies.STRATEGIES),
                  'tf.distribute strategy.')
flags.DEFINE_integer('eval_batches', 20, 'Validation batches per evaluation.')
flags.DEFINE_integer('eval_every', None,
                     "Steps between evaluations (default: the config's).")

_DEFAULT_MLE_STEPS = {'tiny': 100, 'small': 5000, 'base': 200_000}
_RUN_FILE = 'run.json'


def check_model_dir(model_dir, config_name, genres):
  """Refuses a model_dir trained with another config or vocabulary."""
  path = os.path.join(model_dir, _RUN_FILE)
  run = {'config': config_name, 'genres': list(genres)}
  if tf.io.gfile.exists(path):
    with tf.io.gfile.GFile(path) as f:
      previous = json.load(f)
    if previous != run:
      raise ValueError(
          f'{model_dir} holds a run with config {previous["config"]!r} and '
          f'genres {previous["genres"]}; use --config={previous["config"]} '
          'with its dataset, or a new --model_dir.')
  tf.io.gfile.makedirs(model_dir)
  with tf.io.gfile.GFile(path, 'w') as f:
    json.dump(run, f)


def unigram_entropy(dataset, max_batches=50):
  """Entropy (nats) of the token frequencies: a no-context baseline NLL."""
  tokens = np.concatenate([batch.numpy()[:, 1:].ravel()
                           for batch in dataset.take(max_batches)])
  counts = np.bincount(tokens).astype(np.float64)
  counts[0] = 0  # PAD
  probs = counts[counts > 0] / counts.sum()
  return float(-(probs * np.log(probs)).sum())


def run():
  config = configs.get_config(FLAGS.config)
  if FLAGS.eval_every:
    config = dataclasses.replace(config, train=dataclasses.replace(
        config.train, eval_every=FLAGS.eval_every))
  builder = datasets.get_builder(FLAGS.dataset or config.dataset,
                                 data_dir=FLAGS.data_dir)
  vocabulary = datasets.get_vocabulary(builder)
  genres = (FLAGS.genre.split(',') if FLAGS.genre else
            list(vocabulary.genres))
  genre_ids = datasets.genre_ids(builder, genres)
  model_dir = FLAGS.model_dir or os.path.join('runs', config.name)
  check_model_dir(model_dir, config.name, vocabulary.genres)
  strategy = strategies.get_strategy(FLAGS.strategy)
  steps = FLAGS.mle_steps or _DEFAULT_MLE_STEPS[config.name]
  max_len = config.model.max_len
  print(f'MLE: config {config.name}, {builder.info.full_name}, genres '
        f'{", ".join(genres)}, {steps} steps of {config.batch_size} x '
        f'{max_len} tokens on {strategy.num_replicas_in_sync} replica(s); '
        f'model_dir {model_dir}', flush=True)

  def train_fn(input_context):
    return pipeline.train_dataset(
        builder.as_dataset(split='train'), max_len, config.batch_size,
        seed=FLAGS.seed, genre_ids=genre_ids, input_context=input_context)

  eval_split = 'validation' if 'validation' in builder.info.splits else 'train'
  eval_data = pipeline.eval_dataset(
      builder.as_dataset(split=eval_split), max_len, config.batch_size,
      genre_ids=genre_ids).take(FLAGS.eval_batches).cache()
  trainer = mle.MleTrainer(config, vocabulary.size, model_dir, strategy)
  result = trainer.train(train_fn, steps, eval_dataset=eval_data)
  if result['eval_nll'] is None:  # Already at `steps`: nothing was trained.
    result['eval_nll'] = trainer.evaluate(eval_data)
  baseline = unigram_entropy(eval_data)
  print(f'step {result["step"]}: train loss {result["loss"]}, {eval_split} '
        f'NLL {result["eval_nll"]:.4f} nats/token (unigram entropy '
        f'{baseline:.4f}); checkpoint {trainer.manager.latest_checkpoint}')


def main(argv):
  logging.set_verbosity(logging.INFO)
  return script_utils.run_main('genre_gan_train', run, argv)


def console_entry_point():
  app.run(main)


if __name__ == '__main__':
  console_entry_point()
