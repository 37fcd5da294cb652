r"""Judges generated music: genre fidelity, realism, diversity, likelihood.

  genre_gan_evaluate --samples=samples/ --genre=classical \
      --classifier_path=runs/classifier/corpus_genre_small_1.3.0_small \
      --checkpoint=runs/small
  genre_gan_evaluate --train_evaluator --dataset=corpus_genre/small

--samples holds .mid/.midi files or token files (.npy, or .txt with
whitespace-separated ints; a token file wins over a MIDI file of the same
name). With several genres (--genre=classical,folk) the samples of genre G
are read from DIR/G/; with one, from DIR/G/ if it exists, else DIR.

Per genre the report has a row for the samples, one for held-out real (test)
music and one for each negative (uniform, unigram, shuffled, drone), all
measured the same way (evaluation/report.py): fidelity by the independent
evaluator, which can reject (trained on the dataset's train split on first
use and kept in --evaluator_dir), its reject rate, the frozen classifier's
probability (--classifier_path, else the newest beside the --checkpoint's
run or under runs/classifier/ that knows the genres), C2ST and Fréchet realism
against validation music of the genre, held notes, the --checkpoint's NLL,
mgeval overlap and diversity, with bootstrap 95 % intervals.
Writes --output_json and a markdown table (same name, .md).
"""

import os
import sys

from absl import flags
from absl import logging

from genre_transformer_gan import choices
from genre_transformer_gan import configs
from genre_transformer_gan import run_layout
from genre_transformer_gan.scripts import script_utils

FLAGS = flags.FLAGS
flags.DEFINE_string('samples', None, 'Directory of generated samples.')
flags.DEFINE_string('genre', None, 'Target genre(s), comma-separated.')
flags.DEFINE_string('dataset', configs.DEFAULT_DATASET,
                    'TFDS dataset the real music comes from.')
flags.DEFINE_string('data_dir', None, 'TFDS data_dir.')
flags.DEFINE_string('checkpoint', None, 'Generator model_dir, its '
                    'adversarial_<genre> folder, or a checkpoint prefix: adds '
                    'its NLL on held-out real music.')
flags.DEFINE_string('classifier_path', None,
                    'Frozen genre classifier (genre_classifier_train output; '
                    'default: the newest under <runs>/classifier/ that knows '
                    'the genres).')
flags.DEFINE_string('evaluator_dir', None, 'Independent evaluator (default: '
                    '<runs>/evaluator/<dataset>, <runs> being the folder of '
                    "--checkpoint's run, else runs/); trained there if "
                    'missing.')
flags.DEFINE_bool('train_evaluator', False,
                  'Retrain the evaluator even if --evaluator_dir has one; '
                  'without --samples, only that.')
flags.DEFINE_string('evaluator_config', 'small',
                    'Config whose `evaluator` settings train the evaluator.')
flags.DEFINE_string('output_json', None,
                    'Report path (default: <samples>/evaluation.json).')
flags.DEFINE_integer('num_reference', None, 'Held-out real crops in the '
                     f'reference row (default or 0: as many as the samples, '
                     f'at least {choices.MIN_REFERENCE}).', lower_bound=0)
flags.DEFINE_integer('seed', 0, 'Crops of real music.')


def _sample_dirs(root, genres):
  if not os.path.isdir(root):
    raise FileNotFoundError(f'--samples={root} is not a directory.')
  if len(genres) == 1:
    nested = os.path.join(root, genres[0])
    return {genres[0]: nested if os.path.isdir(nested) else root}
  missing = [g for g in genres if not os.path.isdir(os.path.join(root, g))]
  if missing:
    raise FileNotFoundError(
        f'With several genres the samples of genre G go in {root}/G/; '
        f'missing: {", ".join(missing)}.')
  return {g: os.path.join(root, g) for g in genres}


def run():
  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan import datasets
  from genre_transformer_gan.evaluation import evaluator as evaluator_lib
  from genre_transformer_gan.evaluation import judges
  from genre_transformer_gan.evaluation import likelihood
  from genre_transformer_gan.evaluation import real_data
  from genre_transformer_gan.evaluation import report
  from genre_transformer_gan.evaluation import report_format
  from genre_transformer_gan import file_checks
  from genre_transformer_gan.models import classifier_io
  from genre_transformer_gan.models import generator_io
  # pylint: enable=import-outside-toplevel
  builder = datasets.get_builder(FLAGS.dataset, data_dir=FLAGS.data_dir,
                                 build=True)
  music = real_data.RealMusic(builder)
  vocabulary = datasets.get_vocabulary(builder)
  checkpoint = (generator_io.resolve_checkpoint(FLAGS.checkpoint)
                if FLAGS.checkpoint else None)
  runs_root = (run_layout.runs_root(checkpoint.model_dir) if checkpoint
               else run_layout.RUNS_ROOT)
  evaluator_dir = FLAGS.evaluator_dir or run_layout.evaluator_dir(
      runs_root, music.name)
  evaluator_config = configs.get_config(FLAGS.evaluator_config)
  if FLAGS.train_evaluator and not FLAGS.samples:
    evaluator_lib.load_or_train(evaluator_config, music, evaluator_dir,
                                retrain=True, seed=FLAGS.seed)
    return
  if not FLAGS.samples or not FLAGS.genre:
    raise ValueError('Pass --samples=DIR and --genre=G (or --train_evaluator '
                     'alone to train the evaluator).')
  genres = [g for g in FLAGS.genre.split(',') if g]
  music.genre_ids(genres)  # Unknown genres: a clear error.
  directories = _sample_dirs(FLAGS.samples, genres)
  json_path = FLAGS.output_json or os.path.join(FLAGS.samples,
                                                'evaluation.json')
  markdown_path = os.path.splitext(json_path)[0] + '.md'
  file_checks.ensure_writable_dir(os.path.dirname(os.path.abspath(json_path)),
                                  '--output_json')
  samples = {}
  for genre, directory in directories.items():
    found, skipped = report.read_samples(directory)
    if skipped:
      print(f'{directory}: skipped ' + ', '.join(
          f'{count} ({reason})' for reason, count in sorted(skipped.items())))
    if not found:
      raise FileNotFoundError(f'No samples (.mid, .midi, .npy, .txt) with '
                              f'notes in {directory}.')
    samples[genre] = [tokens for _, tokens in found]
    report.check_judgeable(samples[genre])  # Too short: an error, no report.
  evaluator, _ = evaluator_lib.load_or_train(
      evaluator_config, music, evaluator_dir, genres,
      retrain=FLAGS.train_evaluator, seed=FLAGS.seed)
  if FLAGS.classifier_path:
    classifier = classifier_io.load_classifier(
        FLAGS.classifier_path, vocabulary.genres, genres)
    classifier_path = FLAGS.classifier_path
  else:
    classifier, classifier_path = judges.find_classifier(genres, runs_root)
    print(f'Frozen classifier: {classifier_path}' if classifier else
          'No --classifier_path and none beside the run: the '
          'frozen-classifier columns stay empty.')
  generator = None
  if checkpoint:
    generator = generator_io.load_generator(checkpoint.prefix,
                                            vocabulary.genres)
  rows = []
  for genre in genres:
    nll = None
    if generator is not None:
      nll = likelihood.genre_nll(  # Of the model as its config samples it.
          generator[0], generator[1], music, genre,
          **generator[1].sampling.cache_for(genre))
    rows.extend(report.evaluate_genre(
        genre, samples[genre], evaluator, classifier, music, nll=nll,
        seed=FLAGS.seed, num_reference=FLAGS.num_reference))
  meta = {'dataset': music.name, 'samples': FLAGS.samples,
          'evaluator': evaluator_dir,
          'classifier': classifier_path,
          'checkpoint': generator[2].prefix if generator else None,
          'seed': FLAGS.seed}
  report_format.write(rows, meta, json_path, markdown_path)
  print(report_format.markdown(rows))
  for line in report_format.sanity_warnings(rows):
    print(line, file=sys.stderr)
  print(f'Wrote {json_path} and {markdown_path}')


def main(argv):
  logging.set_verbosity(logging.WARNING)
  return script_utils.run_main('genre_gan_evaluate', run, argv)


def console_entry_point():
  script_utils.run_app(main, __name__)


if __name__ == '__main__':
  console_entry_point()
