r"""Trains a generator of one genre: MLE, then a genre stage, then a report.

  genre_gan_train --genre=classical                 # everything, CPU-sized
  genre_gan_train --genre=folk --genre_stage=adversarial   # the GAN stage
  genre_gan_train --genre=folk --config=tiny --mle_steps=50 --adv_steps=10
  genre_gan_train --phase=mle --config=small --model_dir=runs/small
  genre_gan_train --genre=classical --generator=lstm --model_dir=runs/lstm

--phase=all (default) builds or loads the dataset, trains or loads the frozen
genre classifier, starts the generator from the pretrained one shipped for
--config (or from scratch: --init_from) and adds --mle_steps of MLE on all
genres (genre token at position 0; --mle_genres to restrict), gives the
frozen classifier a K+1-th class, 'generated', learned from that model's
samples (the discriminator; where the stage or the genre's guidance
needs one), then tunes for --genre: with
--genre_stage=mle (small's, chosen on validation; its genres' crops are
not transposed there) --adv_steps of MLE on the genre alone into
<model_dir>/mle_<genre>/, reported with the genre's guidance: unguided
(small's for each of its genres) beside the MLE model of all genres, or
steered by the discriminator (e.g. drs:4, discriminator importance
resampling) beside the same model unguided;
--genre_stage=mle_adversarial then runs the GAN stage from that model
into <model_dir>/adversarial_<genre>/ and reports both steered alike;
with --genre_stage=adversarial (tiny's and base's) the Gumbel-softmax
GAN stage against it into <model_dir>/adversarial_<genre>/, reported
beside its MLE control. The report: samples, evaluation.md / .json,
listen.html.
Every stage resumes from its checkpoints, so re-running a command continues
it. --phase=mle or --phase=adversarial run one stage. The sequence itself is
training/sequence.py's train_genre_gan, which the notebooks call too.
"""

import dataclasses
import sys

from absl import flags
from absl import logging

from genre_transformer_gan import choices
from genre_transformer_gan import configs
from genre_transformer_gan.scripts import script_utils

FLAGS = flags.FLAGS
flags.DEFINE_enum('phase', 'all', list(choices.PHASES), 'Stages to run.')
flags.DEFINE_string('genre', None, 'Target genre of the adversarial stage.')
flags.DEFINE_string('config', 'small', 'tiny | small | base.')
flags.DEFINE_enum('generator', None, list(configs.GENERATORS),
                  "Generator family (default: the config's, transformer).")
flags.DEFINE_string('dataset', None, "TFDS dataset (default: the config's).")
flags.DEFINE_string('data_dir', None, 'TFDS data_dir.')
flags.DEFINE_string('mle_genres', None, 'Comma-separated genres for MLE '
                    '(default: all).')
flags.DEFINE_string('model_dir', None, 'Checkpoints and TensorBoard logs '
                    '(default: runs/<config>).')
flags.DEFINE_integer('mle_steps', None, 'MLE steps to add beyond the start '
                     "(the pretrained generator's step, or 0 from scratch); "
                     'a re-run resumes to the same step (default: from '
                     'scratch tiny 100, small 2500, base 200000; after the '
                     'pretrained generator small 0).')
flags.DEFINE_integer('adv_steps', None, 'Steps of the genre stage (GAN or '
                     'MLE on the genre; default: tiny 20, '
                     'small 100, base 20000).')
flags.DEFINE_string('classifier_path', None, 'Frozen genre classifier '
                    '(default: <runs>/classifier/<dataset>_<config>, filled '
                    'there if missing, as --classifier says).')
flags.DEFINE_enum('classifier', 'auto', list(choices.CLASSIFIER_SOURCES),
                  'Where missing frozen classifiers come from: auto (the '
                  'genre classifier and K+1 discriminator shipped for '
                  '--config where they fit the run, else trained; a misfit '
                  'is named in one line), shipped (a misfit is an error) or '
                  'train (always train them here).')
flags.DEFINE_string('evaluator_dir', None, 'Independent evaluator (default: '
                    '<runs>/evaluator/<dataset>, trained there if missing).')
flags.DEFINE_integer('seed', 0, 'Data order, crops, noise and sampling.')
flags.DEFINE_enum('strategy', 'auto', list(choices.STRATEGIES),
                  'tf.distribute strategy.')
flags.DEFINE_integer('eval_batches', 20, 'Validation batches per evaluation.')
flags.DEFINE_integer('eval_every', None,
                     "MLE steps between evaluations (default: the config's).")
flags.DEFINE_integer('num_samples', 32, 'Samples in the final report.')
flags.DEFINE_integer('sample_length', None, 'Tokens per final sample '
                     "(default: the model's max_len).")
flags.DEFINE_enum('genre_stage', None, list(choices.GENRE_STAGES),
                  'How to tune for --genre: adversarial (the GAN stage), '
                  'mle (MLE on the genre alone, then samples steered by the '
                  'K+1 discriminator) or mle_adversarial (mle, then the GAN '
                  'stage from that model, reported beside it); default: the '
                  "config's for the genre (small: mle; tiny and base: "
                  'adversarial).')
flags.DEFINE_enum('report_synth', 'auto', list(choices.SYNTHS),
                  "WAV renderer of the report's listening page, listen.html "
                  '(samples, control and real music side by side; none: '
                  'piano rolls only). See genre_gan_generate --synth.')
for _name in ('genre_weight', 'realism_weight', 'mle_weight', 'kl_weight'):
  flags.DEFINE_float(_name, None, f"Adversarial {_name} (default: the "
                     "config's).")
flags.DEFINE_enum('realism_loss', None, ['rsgan', 'wgan_gp'],
                  "Critic loss (default: the config's).")
flags.DEFINE_enum('feedback', None, list(choices.FEEDBACKS),
                  'What a Gumbel-softmax rollout feeds back: soft, hard '
                  "(RelGAN) or straight_through (default: the config's).")
flags.DEFINE_float('final_temperature', None, 'Gumbel-softmax temperature at '
                   "the end of the adversarial stage, 1 / RelGAN's beta_max "
                   "(default: the config's).")
flags.DEFINE_bool('generated_class', None, 'Before the GAN stage, give the '
                  "frozen classifier a class 'generated' learned from the MLE "
                  "generator's samples (training/generated_class.py; "
                  "default: the config's).")
flags.DEFINE_bool('term_gradient_norms', None, 'Log the gradient norm of '
                  'each GAN-stage loss term (one backward pass per term).')
flags.register_validator(
    'final_temperature', lambda value: value is None or value > 0,
    '--final_temperature must be > 0 (RelGAN: 0.1, 0.01 or 0.001).')
flags.DEFINE_enum('init_from', 'auto', list(choices.INIT_FROM),
                  'A new model_dir starts MLE from the pretrained generator '
                  'shipped for --config (auto: when its config and family '
                  "fit the run; a dataset's genres it does not know start "
                  'from the mean of its own; pretrained: required; '
                  'scratch: from nothing).')
flags.DEFINE_string('export_pretrained', None, 'After MLE, write the '
                    'generator as a pretrained starting point (float16 '
                    'weights and model card) into this directory '
                    '(as bin/pretrain_small.sh and bin/pretrain_full.sh '
                    'do).')
flags.DEFINE_bool('jit_compile', None, 'Compile every training step with '
                  "XLA (default: the config's; base: yes).")
flags.DEFINE_enum('precision', None, list(choices.PRECISIONS),
                  "MLE compute dtype (default: the config's; auto = "
                  'bfloat16 matmuls on TPUs and on CPUs with avx512_bf16 / '
                  'amx_bf16, float32 elsewhere).')
flags.DEFINE_float('genre_balance', None, 'MLE on several genres draws a '
                   'genre with probability proportional to (its train '
                   'examples) ** genre_balance: 1 as the data come, 0 every '
                   "genre equally (default: the config's, 1).")
flags.DEFINE_float('length_balance', None, 'MLE draws a piece with '
                   'probability proportional to (its crops) ** '
                   'length_balance: 0 every piece alike, 1 every token alike '
                   "(default: the config's, 0).", lower_bound=0.0)
flags.DEFINE_enum('augment', None, list(configs.AUGMENTATIONS),
                  'MLE crops: stretch = time stretch and transposition '
                  "(Magenta's; for performances), transpose = transposition "
                  'only (keeps onsets on their grid: for scores), none '
                  "(default: the config's, per genre for the genre stage).")
flags.DEFINE_integer('keep_checkpoints', None, 'MLE checkpoints kept '
                     "(default: the config's, 3); more keep a long run's "
                     'history, e.g. to score each one afterwards.')


def _config():
  config = configs.get_config(FLAGS.config, FLAGS.generator)
  train = {name: FLAGS[name].value for name in (
      'eval_every', 'precision', 'keep_checkpoints') if FLAGS[name].value}
  for name in ('jit_compile', 'genre_balance', 'length_balance'):
    if FLAGS[name].value is not None:
      train[name] = FLAGS[name].value
  if FLAGS.augment:
    train.update(configs.AUGMENTATIONS[FLAGS.augment])
  if train:
    config = dataclasses.replace(config, train=dataclasses.replace(
        config.train, **train))
  if FLAGS.augment:  # Every stage, the genre stage of any genre included.
    config = dataclasses.replace(config, genre_augmentations=())
  overrides = {name: FLAGS[name].value for name in (
      'genre_weight', 'realism_weight', 'mle_weight', 'kl_weight',
      'realism_loss', 'feedback', 'final_temperature', 'generated_class',
      'term_gradient_norms') if FLAGS[name].value is not None}
  if overrides:
    config = dataclasses.replace(config, adversarial=dataclasses.replace(
        config.adversarial, **overrides))
  return config


def run():
  config = _config()  # A bad --config is named before TensorFlow loads.
  from genre_transformer_gan.training import sequence  # pylint: disable=import-outside-toplevel
  settings = sequence.RunSettings(
      **{name: FLAGS[name].value for name in (
          'genre', 'phase', 'model_dir', 'dataset', 'data_dir', 'mle_steps',
          'adv_steps', 'classifier_path', 'evaluator_dir', 'seed',
          'eval_batches', 'num_samples', 'sample_length', 'init_from',
          'export_pretrained', 'report_synth', 'genre_stage',
          'classifier')},
      mle_genres=FLAGS.mle_genres.split(',') if FLAGS.mle_genres else None,
      command='genre_gan_train ' + ' '.join(sys.argv[1:]))
  outcome = sequence.train_genre_gan(
      config, settings, strategy=FLAGS.strategy,
      log=lambda line: print(line, flush=True))
  if outcome['report'] is not None:
    print(f'Listen side by side: {outcome["adversarial_dir"]}/listen.html; '
          'more samples (MIDI, WAV, piano rolls): genre_gan_generate '
          f'--model_dir={outcome["model_dir"]} --genre={FLAGS.genre} '
          f'--output_dir=samples/{FLAGS.genre}')


def main(argv):
  logging.set_verbosity(logging.INFO)
  return script_utils.run_main('genre_gan_train', run, argv)


def console_entry_point():
  script_utils.run_app(main, __name__)


if __name__ == '__main__':
  console_entry_point()
