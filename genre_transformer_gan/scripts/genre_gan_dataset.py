r"""Builds (if needed) and summarises a dataset; optionally exports MIDI.

  genre_gan_dataset --dataset=corpus_genre/small
  genre_gan_dataset --dataset=lakh_genre/tagtraum_cd2c --manual_dir=~/lmd \
      --beam_pipeline_options="direct_num_workers=2,direct_running_mode=multi_processing"
  genre_gan_dataset --dataset=corpus_genre/small --export_dir=/tmp/examples
  genre_gan_dataset --dataset=corpus_genre/small --data_dir=/tmp/fresh \
      --export_renderings=/tmp/renderings.npz

Prints examples, tokens and hours per split and genre, the files skipped
by reason, and the near-duplicate groups that span splits
(data/near_duplicates.py; --check_duplicates=false skips that read).
--export_dir writes the first --num_export training pieces of each genre
back to MIDI (decoded from their tokens: what a model trains on).
--export_renderings writes music21's renderings of a corpus_genre config's
pieces, as its build in --data_dir kept them, to the .npz the package
ships (data/shipped_renderings.py; bin/ship_renderings.sh).
"""

import collections
import os

from absl import flags
import numpy as np

from genre_transformer_gan import configs
from genre_transformer_gan.scripts import script_utils

FLAGS = flags.FLAGS
flags.DEFINE_string('dataset', configs.DEFAULT_DATASET,
                    'corpus_genre/small|full or lakh_genre/<config>.')
flags.DEFINE_string('data_dir', None, 'TFDS data_dir (~/tensorflow_datasets).')
flags.DEFINE_string('manual_dir', None, "lakh_genre's manual_dir.")
flags.DEFINE_string('beam_pipeline_options', None,
                    'Comma-separated key=value Beam options, as `tfds build`.')
flags.DEFINE_string('export_dir', None, 'Write decoded MIDI examples here.')
flags.DEFINE_integer('num_export', 2, 'Pieces per genre to export.')
flags.DEFINE_string('export_renderings', None, "corpus_genre only: write "
                    "music21's renderings of its pieces to this .npz, as "
                    'the package ships them.')
flags.DEFINE_bool('check_duplicates', True, 'Count near-duplicate pieces '
                  'across splits (decodes the start of every piece).')


def _beam_options(text):
  if not text:
    return None
  from apache_beam.options import pipeline_options  # pylint: disable=import-outside-toplevel
  return pipeline_options.PipelineOptions(
      flags=[f'--{option}' for option in text.split(',')])


def summarize(builder):
  """Lines of a per-split, per-genre table of a prepared builder."""
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import example_lib  # pylint: disable=import-outside-toplevel
  names = builder.info.features['genre'].names
  lines = [f'{builder.info.full_name} in {builder.data_dir}',
           f'{"split":<11}{"genre":<16}{"examples":>9}{"tokens":>11}'
           f'{"hours":>8}']
  for split in builder.info.splits:
    stats = collections.defaultdict(lambda: [0, 0, 0.0])
    for example in tfds.as_numpy(builder.as_dataset(split=split)):
      row = stats[names[example['genre']]]
      row[0] += 1
      row[1] += len(example['tokens'])
      row[2] += float(example['duration']) / 3600
    for genre in names:
      count, tokens, hours = stats[genre]
      lines.append(f'{split:<11}{genre:<16}{count:>9}{tokens:>11}{hours:>8.2f}')
  summary = example_lib.read_skip_summary(builder.data_dir)
  for key in ('skipped', 'labels'):
    if summary.get(key):
      lines.append(f'{key}: ' + ', '.join(
          f'{reason}={n}' for reason, n in summary[key].items()))
  return lines


def export_midi(builder, export_dir, num_per_genre):
  """Decodes the first training pieces of each genre to MIDI files."""
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import tokenizer  # pylint: disable=import-outside-toplevel
  os.makedirs(export_dir, exist_ok=True)
  names = builder.info.features['genre'].names
  written = collections.Counter()
  for example in tfds.as_numpy(builder.as_dataset(split='train')):
    genre = names[example['genre']]
    if written[genre] >= num_per_genre:
      continue
    piece_id = example['id'].decode('utf-8')
    name = ''.join(c if c.isalnum() else '_' for c in piece_id)[-60:]
    path = os.path.join(export_dir, f'{genre}_{written[genre]}_{name}.mid')
    tokenizer.decode_tokens(np.asarray(example['tokens']), path)
    written[genre] += 1
  return sum(written.values())


def export_renderings(builder, path) -> str:
  """Writes the renderings a corpus_genre build kept (under its data_dir's
  downloads/) of its config's pieces to `path`; returns what it did."""
  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import corpus_lib
  from genre_transformer_gan.data import example_lib
  from genre_transformer_gan.data import shipped_renderings
  from genre_transformer_gan import datasets
  # pylint: enable=import-outside-toplevel
  config = builder.builder_config
  keys = [corpus_lib.rendering_key(piece) for piece in corpus_lib.list_pieces(
      config.max_per_genre, config.max_file_bytes)]
  skipped = example_lib.read_skip_summary(builder.data_dir).get('skipped', {})
  unrendered = skipped.get('score_error', 0)  # music21 cannot render them
  held = sum(shipped_renderings.get(key, path) is not None for key in keys)
  if held and held >= len(keys) - unrendered:
    return (f'{path} already holds {held} of the {len(keys)} renderings '
            f'under these keys ({unrendered} do not render): nothing to '
            'export.')
  result = shipped_renderings.export(keys, datasets.kept_renderings(builder),
                                     path)
  return (f'Wrote {result["exported"]} renderings ({result["bytes"] / 1e6:.2f}'
          f' MB) to {path}; {result["missing"]} pieces have none (music21 '
          f'could not render {unrendered} of them).')


def run():
  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import near_duplicates
  from genre_transformer_gan import datasets
  from genre_transformer_gan import file_checks
  # pylint: enable=import-outside-toplevel
  if FLAGS.export_dir:
    file_checks.ensure_writable_dir(FLAGS.export_dir, '--export_dir')
  if FLAGS.export_renderings and not FLAGS.dataset.startswith('corpus_genre'):
    raise ValueError('--export_renderings writes the renderings of a '
                     'corpus_genre build; pass --dataset=corpus_genre/small '
                     '(or full).')
  builder = datasets.get_builder(
      FLAGS.dataset, data_dir=FLAGS.data_dir,
      manual_dir=os.path.expanduser(FLAGS.manual_dir) if FLAGS.manual_dir
      else None, beam_options=_beam_options(FLAGS.beam_pipeline_options))
  print('\n'.join(summarize(builder)))
  if FLAGS.check_duplicates:
    groups = near_duplicates.check_builder(builder)
    print(f'near-duplicate groups across splits: {len(groups)}')
    for group in groups[:20]:
      print('  ' + ', '.join(f'{split}:{piece}' for split, piece in group))
  if FLAGS.export_dir:
    count = export_midi(builder, FLAGS.export_dir, FLAGS.num_export)
    print(f'Wrote {count} MIDI files to {FLAGS.export_dir}')
  if FLAGS.export_renderings:
    print(export_renderings(builder, FLAGS.export_renderings))


def main(argv):
  return script_utils.run_main('genre_gan_dataset', run, argv)


def console_entry_point():
  script_utils.run_app(main, __name__)


if __name__ == '__main__':
  console_entry_point()
