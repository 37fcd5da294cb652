r"""Trains the genre classifier that adversarial training freezes.

  genre_classifier_train --dataset=corpus_genre/small \
      --genres=classical,folk,early  # into runs/classifier/<dataset>_<config>

Writes to --output: classifier.keras, classifier.json (genres, vocabulary,
accuracy per crop length on validation and test), confusion_matrix.txt and
confusion_matrix.png (test split, longest crop length).

With --export_pretrained=DIR it then ships the classifier as the package
does (bin/ship_discriminator.sh): float16 weights and a card in DIR, and,
when the config's GAN stage uses one, the K+1 discriminator grown from them
on samples of the shipped generator (training/adversaries.export_shipped).
--export_only ships the classifier already trained in --output instead of
training one: after a new shipped generator (bin/pretrain_full.sh), it
re-grows the K+1 discriminator on that generator's samples.
"""

import sys
import time

from absl import flags
from absl import logging

from genre_transformer_gan import choices
from genre_transformer_gan import configs
from genre_transformer_gan import run_layout
from genre_transformer_gan.scripts import script_utils

FLAGS = flags.FLAGS
flags.DEFINE_string('dataset', None, "TFDS dataset (default: the config's).")
flags.DEFINE_string('data_dir', None, 'TFDS data_dir.')
flags.DEFINE_string('genres', None,
                    'Comma-separated classes (default: all of the dataset).')
flags.DEFINE_string('config', 'small', 'tiny | small | base.')
flags.DEFINE_string('output', None, 'Output directory (default: '
                    'runs/classifier/<dataset>_<config>, where genre_gan_train '
                    'and genre_gan_generate look).')
flags.DEFINE_integer('steps', None, "Training steps (default: the config's).")
flags.DEFINE_integer('seed', 0, 'Data order, crops and initialisation.')
flags.DEFINE_enum('strategy', 'auto', list(choices.STRATEGIES),
                  'tf.distribute strategy.')
flags.DEFINE_string('export_pretrained', None, 'Then write it (and the K+1 '
                    'discriminator, if the config uses one) as the shipped '
                    'frozen classifiers into this directory: float16 weights '
                    'and cards (models/shipped_classifier.py).')
flags.DEFINE_bool('export_only', False, 'With --export_pretrained and '
                  '--output: ship the classifier already trained there '
                  'instead of training one.')


def run():
  started = time.time()
  if FLAGS.export_only and not (FLAGS.export_pretrained and FLAGS.output):
    raise ValueError('--export_only ships a trained classifier: pass '
                     '--export_pretrained=DIR and --output=<its directory>.')
  config = configs.get_config(FLAGS.config)
  if FLAGS.steps is not None and FLAGS.steps < 1:
    raise ValueError('--steps must be at least 1.')
  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan import datasets
  from genre_transformer_gan.evaluation import confusion
  from genre_transformer_gan import file_checks
  from genre_transformer_gan.training import classifier as classifier_lib
  from genre_transformer_gan.training import strategies
  # pylint: enable=import-outside-toplevel
  builder = datasets.get_builder(FLAGS.dataset or config.dataset,
                                 data_dir=FLAGS.data_dir)
  vocabulary = datasets.get_vocabulary(builder)
  genres = (FLAGS.genres.split(',') if FLAGS.genres else
            list(vocabulary.genres))
  datasets.genre_ids(builder, genres)  # Unknown genres: a clear error.
  if len(genres) < 2:
    raise ValueError('--genres needs at least two genres to tell apart.')
  output = FLAGS.output or run_layout.classifier_dir(
      run_layout.RUNS_ROOT, builder.info.full_name, config.name)
  file_checks.ensure_writable_dir(output, '--output')
  if FLAGS.export_only:
    _export(config, builder, output, started)
    return
  print(f'Genre classifier: config {config.name}, {builder.info.full_name}, '
        f'genres {", ".join(genres)}, '
        f'{FLAGS.steps or config.classifier.steps} steps; output {output}',
        flush=True)
  info = classifier_lib.train_classifier(
      config, builder, genres, output, steps=FLAGS.steps, seed=FLAGS.seed,
      strategy=strategies.get_strategy(FLAGS.strategy))
  for split in ('validation', 'test'):
    if split in info:
      print(f'{split} accuracy by crop length: '
            f'{confusion.accuracy_line(info[split])}')
  print(f'chance: {1 / len(genres):.3f}; saved {output}/classifier.keras; '
        f'confusion matrix in {output}/confusion_matrix.txt and .png')
  if FLAGS.export_pretrained:
    _export(config, builder, output, started)


def _export(config, builder, output, started):
  """Ships the classifier in `output` (and the K+1 one) to
  --export_pretrained."""
  from genre_transformer_gan.training import adversaries  # pylint: disable=import-outside-toplevel
  info = {'command': 'genre_classifier_train ' + ' '.join(sys.argv[1:])}
  if not FLAGS.export_only:
    info['seconds_training'] = round(time.time() - started)
  adversaries.export_shipped(
      config, builder, output, config.adversarial.generated_class,
      FLAGS.seed, info, FLAGS.export_pretrained,
      log=lambda line: print(line, flush=True))


def main(argv):
  logging.set_verbosity(logging.INFO)
  return script_utils.run_main('genre_classifier_train', run, argv)


def console_entry_point():
  script_utils.run_app(main, __name__)


if __name__ == '__main__':
  console_entry_point()
