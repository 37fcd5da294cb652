"""A generator checkpoint's NLL on held-out real music of one genre.

Accepts a model_dir (its run.json names the config and vocabulary; the
latest checkpoint under model_dir/checkpoints is used) or one checkpoint
prefix inside it (model_dir/checkpoints/ckpt-N).
"""

import json
import os
from typing import Sequence

import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import datasets
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.data import vocabulary
from genre_transformer_gan.models import music_transformer
from genre_transformer_gan.training import losses

RUN_FILE = 'run.json'


def resolve_checkpoint(path: str):
  """(model_dir, checkpoint prefix) of a model_dir or a checkpoint prefix.

  Raises:
    FileNotFoundError: nothing to restore there.
  """
  path = os.fspath(path).rstrip('/')
  if tf.io.gfile.exists(path + '.index'):
    return os.path.dirname(os.path.dirname(path)), path
  prefix = tf.train.latest_checkpoint(os.path.join(path, 'checkpoints'))
  if not prefix:
    raise FileNotFoundError(
        f'No generator checkpoint in {path}; pass a model_dir trained by '
        '`genre_gan_train` or a prefix like MODEL_DIR/checkpoints/ckpt-100.')
  return path, prefix


def load_generator(path: str, vocabulary_genres: Sequence[str]):
  """(model, config name, prefix): the generator of a checkpoint, restored.

  Raises:
    FileNotFoundError / ValueError: missing run.json, another vocabulary.
  """
  model_dir, prefix = resolve_checkpoint(path)
  run_path = os.path.join(model_dir, RUN_FILE)
  if not tf.io.gfile.exists(run_path):
    raise FileNotFoundError(f'{run_path} is missing; --checkpoint must be a '
                            'model_dir written by genre_gan_train.')
  with tf.io.gfile.GFile(run_path) as f:
    run = json.load(f)
  if tuple(run['genres']) != tuple(vocabulary_genres):
    raise ValueError(
        f'The generator in {model_dir} was trained with genres '
        f'({", ".join(run["genres"])}) but the dataset has '
        f'({", ".join(vocabulary_genres)}); pass the --dataset it was '
        'trained on.')
  config = configs.get_config(run['config'])
  model = music_transformer.MusicTransformer.from_model_config(
      config.model, vocabulary.Vocabulary(vocabulary_genres).size)
  tf.train.Checkpoint(model=model).restore(prefix).expect_partial()
  return model, config, prefix


def genre_nll(model, config, builder, genre: str, split: str = 'test',
              max_batches: int = 50) -> float:
  """Mean next-token NLL (nats/token) on `split` pieces of `genre`."""
  data = pipeline.eval_dataset(
      builder.as_dataset(split=split), config.model.max_len,
      config.batch_size, genre_ids=datasets.genre_ids(builder, [genre]))
  step = tf.function(lambda batch: losses.next_token_nll(model, batch))
  total, count = 0.0, 0.0
  for batch in data.take(max_batches):
    loss_sum, batch_count = step(batch)
    total += float(loss_sum)
    count += float(batch_count)
  return total / max(count, 1.0)
