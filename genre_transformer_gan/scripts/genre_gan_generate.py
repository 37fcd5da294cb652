r"""Generates music of a genre: MIDI, WAV, piano-roll PNG and an index.

  # No training: the generator shipped inside the package.
  genre_gan_generate --model=small --genre=folk --seconds=20
  genre_gan_generate --model_dir=runs/small --genre=folk --num_samples=8 \
      --length=1024 --seed=0 \
      --output_dir=samples/folk
  # Steered to the genre: each sample the best of 4 by the frozen classifier.
  genre_gan_generate --model_dir=runs/small --genre=folk --guidance=rerank:4
  # Toward real music: one of 4 drawn by the K+1 discriminator's ratio.
  genre_gan_generate --model_dir=runs/small --genre=folk --guidance=drs:4
  # Genre transfer: continue a piece of another genre as classical.
  genre_gan_generate --model_dir=runs/small --genre=classical \
      --primer=some_folk_tune.mid --output_dir=samples/transfer

--model=small uses the generator shipped inside the package (MLE on the
embedded corpus; no dataset is built). --model_dir is what genre_gan_train
wrote: its adversarial_<genre> stage is used when it exists (else the MLE
model); an adversarial_<genre> folder or a checkpoint prefix picks one
explicitly. For each sample <genre>_NN.mid,
<genre>_NN.wav (FluidSynth with pretty_midi's General MIDI soundfont; if
FluidSynth is missing this is said once and the rest is still written) and
<genre>_NN.png; index.json / index.md list the settings and, where an
independent evaluator (and frozen classifier) is found next to the run or
given, each sample's genre probabilities.

--guidance steers samples to the genre at sampling time
(generation/guidance.py): rerank:N draws N candidates per sample and keeps
the one a classifier finds most the genre in its weakest window (N times
the sampling time); the classifier is --guide_path, else the run's K+1
classifier (genre_gan_train --generated_class: discriminator rejection
sampling; for --model=small the one shipped with it, learned from its
samples), else the frozen one. drs:N draws one of N candidates with
probability proportional to that K+1 classifier's density ratio
p(genre) / p(generated) (importance resampling: toward real music rather
than the classifier's mode). --guidance=auto (the default) uses the
config's guidance for the genre (small: every genre unguided, which
validation chose; drs:4 for other datasets' genres) where there is such a
K+1 classifier. chunk:N does so
every 64 tokens, keeping the best of N continuations; cfg:G samples from
l_genre + G (l_genre - mean l_other genre) (as many times the time as the
model has genres). The independent evaluator, which guidance never sees,
then judges the result.
"""

import dataclasses

from absl import flags
from absl import logging

from genre_transformer_gan import choices
from genre_transformer_gan import run_layout
from genre_transformer_gan.scripts import script_utils

FLAGS = flags.FLAGS
flags.DEFINE_string('model_dir', None, 'What genre_gan_train wrote (or its '
                    'adversarial_<genre> folder, or a checkpoint prefix).')
flags.DEFINE_string('model', None, 'A generator shipped inside the package '
                    '(small): no training run, no dataset. Instead of '
                    '--model_dir.')
flags.DEFINE_string('genre', None, 'Target genre.')
flags.DEFINE_string('output_dir', None, 'Where the files go (default: '
                    'samples/<genre>).')
flags.DEFINE_integer('num_samples', 8, 'Samples to write.')
flags.DEFINE_integer('length', 1024, 'Event tokens generated per sample.')
flags.DEFINE_float('seconds', None, 'Length in seconds instead of --length: '
                   'each sample is cut where it reaches them.')
flags.DEFINE_float('temperature', None, 'Sampling temperature (default: '
                   "the run's config for the genre; `small`: folk 1.15, "
                   'classical and early 1.0, others 0.85).')
flags.DEFINE_integer('top_k', None, 'Keep the k most likely tokens (0: all; '
                     "default: the run's config).")
flags.DEFINE_float('top_p', None, 'Nucleus sampling mass (1.0: off; '
                   "default: the run's config for the genre; `small`: early "
                   '0.98, others 0.95).')
flags.DEFINE_integer('seed', 0, 'Same seed and batch size: same samples.')
flags.DEFINE_bool('overwrite', False, 'Replace the samples of an earlier run '
                  'in --output_dir (without it such a folder is refused).')
flags.DEFINE_integer('batch_size', 8, 'Samples drawn together.')
flags.DEFINE_string('primer', None, 'MIDI file to continue in --genre '
                    '(genre transfer).')
flags.DEFINE_integer('primer_tokens', 0, "The primer's first tokens used "
                     "(0: half the model's training length).")
flags.DEFINE_float('primer_seconds', None, "The primer's first seconds used "
                   '(still at most --primer_tokens).')
flags.DEFINE_float('max_note_seconds', None, 'End every note still sounding '
                   'this long after it began, in every file and in what the '
                   "index judges (default: the model's config's; 0: no cap; "
                   "Magenta's Performance RNN uses 5: a model can leave a "
                   'note hanging).', lower_bound=0)
flags.DEFINE_enum('synth', 'auto', list(choices.SYNTHS),
                  'WAV renderer: auto (FluidSynth where its system library '
                  'is installed, else soundfont), fluidsynth, soundfont '
                  '(midirenderer, no system library), sine, none (no WAV).')
flags.DEFINE_integer('sample_rate', choices.DEFAULT_SAMPLE_RATE, 'WAV Hz.')
flags.DEFINE_string('soundfont', None, '.sf2 for fluidsynth / soundfont '
                    "(default: pretty_midi's TimGM6mb.sf2).")
flags.DEFINE_string('evaluator_dir', None, 'Independent evaluator for the '
                    'index (default: the newest in <runs>/evaluator/).')
flags.DEFINE_string('classifier_path', None, 'Frozen classifier for the '
                    'index and for --guidance=rerank (default: the newest in '
                    '<runs>/classifier/).')
flags.DEFINE_string('guide_path', None, 'The classifier rerank:N, drs:N '
                    'and chunk:N rank with (default: the run\'s K+1 classifier, '
                    '<model_dir>/classifier_generated, when genre_gan_train '
                    '--generated_class made one: discriminator rejection '
                    'sampling; else the frozen classifier).')
flags.DEFINE_bool('ngram_cache', True, "Draw with the config's n-gram cache "
                  'where it has one for the genre (small: classical), so '
                  'figures heard before come back; --nongram_cache: from '
                  'the generator alone.')
flags.DEFINE_string('guidance', 'auto', 'Genre guidance at sampling time: '
                    "auto (the config's for the genre, small: none for "
                    "its genres, drs:4 for others'; when the run has "
                    'a K+1 discriminator, else none), none, rerank:N (best '
                    'of N candidates by that discriminator, else the '
                    'frozen classifier; N times the time), drs:N (one of '
                    'N drawn by the K+1 discriminator\'s density ratio: '
                    'toward real music, not its mode), chunk:N (the '
                    'best of N every 64 tokens) or cfg:G (classifier-free '
                    'guidance on the genre token with gamma G).')


def run():
  if bool(FLAGS.model_dir) == bool(FLAGS.model) or not FLAGS.genre:
    raise ValueError('Pass --genre=G and one of --model=small (the shipped '
                     'generator) or --model_dir=DIR (what genre_gan_train '
                     'wrote).')
  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.evaluation import judges
  from genre_transformer_gan import file_checks
  from genre_transformer_gan.generation import generate_lib
  from genre_transformer_gan.models import classifier_io
  from genre_transformer_gan.models import pretrained
  from genre_transformer_gan.models import shipped_classifier
  # pylint: enable=import-outside-toplevel
  settings = generate_lib.GenerateSettings(
      genre=FLAGS.genre, num_samples=FLAGS.num_samples, length=FLAGS.length,
      temperature=FLAGS.temperature, top_k=FLAGS.top_k, top_p=FLAGS.top_p,
      seed=FLAGS.seed, batch_size=FLAGS.batch_size, primer=FLAGS.primer,
      primer_tokens=FLAGS.primer_tokens, synth=FLAGS.synth,
      sample_rate=FLAGS.sample_rate, soundfont=FLAGS.soundfont,
      guidance='none' if FLAGS.guidance == 'auto' else FLAGS.guidance,
      seconds=FLAGS.seconds, primer_seconds=FLAGS.primer_seconds,
      max_note_seconds=FLAGS.max_note_seconds,
      ngram_cache=FLAGS.ngram_cache)
  settings.check()
  output_dir = FLAGS.output_dir or f'samples/{FLAGS.genre}'
  file_checks.ensure_writable_dir(output_dir, '--output_dir')
  generator = (generate_lib.load_shipped(FLAGS.model) if FLAGS.model else
               generate_lib.load(FLAGS.model_dir, FLAGS.genre))
  generate_lib.check_genre(generator, FLAGS.genre)
  print(f'genre_gan_generate: {generator.checkpoint.prefix} '
        f'({generator.checkpoint.stage}, config {generator.config.name}), '
        f'genre {FLAGS.genre}', flush=True)
  # The shipped generator's judges are those genre_gan_train left in runs/.
  model_dir = (generator.checkpoint.model_dir or
               run_layout.default_model_dir(generator.config.name))
  judge = judges.find_judges(generator.vocabulary.genres, model_dir,
                             FLAGS.evaluator_dir, FLAGS.classifier_path)
  guide = None
  guide_path = FLAGS.guide_path or run_layout.generated_classifier_dir(
      model_dir)
  shipped_guide, why_not = None, ''
  if FLAGS.model and not FLAGS.guide_path and not classifier_io.exists(
      guide_path):  # The shipped generator's own K+1 discriminator.
    shipped_guide, why_not = shipped_classifier.for_shipped_generator(
        generator.config, generator.vocabulary.genres)
    guide_path = (pretrained.paths(shipped_classifier.name(
        FLAGS.model, shipped_classifier.WITH_GENERATED))[0]
                  if shipped_guide else guide_path)
  has_discriminator = bool(FLAGS.guide_path or shipped_guide) or (
      classifier_io.exists(guide_path))
  if FLAGS.guidance == 'auto':
    settings = dataclasses.replace(settings, guidance=(
        generator.config.sampling.guidance_for(FLAGS.genre)
        if has_discriminator else 'none'))
    if not has_discriminator:
      why = ('no K+1 discriminator beside the run: genre_gan_train makes '
             f'one{"; " + why_not if why_not else ""}')
    elif settings.guidance == 'none':
      why = f"the config's for {FLAGS.genre}"
    else:
      why = f"the config's, by the K+1 discriminator {guide_path}"
    print(f'Guidance {settings.guidance} ({why})')
  if settings.guidance != 'none' and has_discriminator:
    guide = (shipped_classifier.load(shipped_guide, generator.config)
             if shipped_guide else classifier_io.load_classifier(
                 guide_path, generator.vocabulary.genres, [FLAGS.genre]))
    print(f'Guidance ranks with {guide_path}.')
  index = generate_lib.generate_files(generator, output_dir, settings, judge,
                                      guide=guide, overwrite=FLAGS.overwrite)
  line = judges.fidelity_line([s['genre_probabilities']
                               for s in index['samples']], FLAGS.genre)
  if line:
    print(line)


def main(argv):
  logging.set_verbosity(logging.WARNING)
  return script_utils.run_main('genre_gan_generate', run, argv)


def console_entry_point():
  script_utils.run_app(main, __name__)


if __name__ == '__main__':
  console_entry_point()
