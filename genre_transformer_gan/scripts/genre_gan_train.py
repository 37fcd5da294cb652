r"""Trains a generator of one genre: MLE pre-training, then the GAN stage.

  genre_gan_train --genre=classical                 # everything, CPU-sized
  genre_gan_train --genre=folk --config=tiny --mle_steps=50 --adv_steps=10
  genre_gan_train --phase=mle --config=small --model_dir=runs/small
  genre_gan_train --genre=classical --generator=lstm --model_dir=runs/lstm

--phase=all (default) builds or loads the dataset, trains or loads the frozen
genre classifier, pre-trains the generator by MLE on all genres (genre token
at position 0; --mle_genres to restrict), fine-tunes it adversarially for
--genre, and writes samples and an evaluation report of the final model to
<model_dir>/adversarial_<genre>/. Every stage resumes from its checkpoints,
so re-running a command continues it. --phase=mle or --phase=adversarial run
one stage.
"""

import dataclasses
import os
import sys

from absl import app
from absl import flags
from absl import logging
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan import file_checks
from genre_transformer_gan.data import datasets
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import pretrained
from genre_transformer_gan.scripts import script_utils
from genre_transformer_gan.training import cluster
from genre_transformer_gan.training import gumbel
from genre_transformer_gan.training import precision
from genre_transformer_gan.training import run_lib
from genre_transformer_gan.training import strategies

FLAGS = flags.FLAGS
flags.DEFINE_enum('phase', 'all', ['all', 'mle', 'adversarial'],
                  'Stages to run.')
flags.DEFINE_string('genre', None, 'Target genre of the adversarial stage.')
flags.DEFINE_string('config', 'small', 'tiny | small | base.')
flags.DEFINE_enum('generator', None, list(configs.GENERATORS),
                  "Generator family (default: the config's, transformer).")
flags.DEFINE_string('dataset', None, "TFDS dataset (default: the config's).")
flags.DEFINE_string('data_dir', None, 'TFDS data_dir.')
flags.DEFINE_string('mle_genres', None, 'Comma-separated genres for MLE '
                    'pre-training (default: all).')
flags.DEFINE_string('model_dir', None, 'Checkpoints and TensorBoard logs '
                    '(default: runs/<config>).')
flags.DEFINE_integer('mle_steps', None, 'MLE steps (default: per config).')
flags.DEFINE_integer('adv_steps', None,
                     'Adversarial steps (default: per config).')
flags.DEFINE_string('classifier_path', None, 'Frozen genre classifier '
                    '(default: <runs>/classifier/<dataset>_<config>, trained '
                    'there if missing).')
flags.DEFINE_string('evaluator_dir', None, 'Independent evaluator (default: '
                    '<runs>/evaluator/<dataset>, trained there if missing).')
flags.DEFINE_integer('seed', 0, 'Data order, crops, noise and sampling.')
flags.DEFINE_enum('strategy', 'auto', list(strategies.STRATEGIES),
                  'tf.distribute strategy.')
flags.DEFINE_integer('eval_batches', 20, 'Validation batches per evaluation.')
flags.DEFINE_integer('eval_every', None,
                     "MLE steps between evaluations (default: the config's).")
flags.DEFINE_integer('num_samples', 32, 'Samples in the final report.')
flags.DEFINE_integer('sample_length', None, 'Tokens per final sample '
                     "(default: the model's max_len).")
for _name in ('genre_weight', 'realism_weight', 'mle_weight', 'kl_weight'):
  flags.DEFINE_float(_name, None, f"Adversarial {_name} (default: the "
                     "config's).")
flags.DEFINE_enum('realism_loss', None, ['rsgan', 'wgan_gp'],
                  "Critic loss (default: the config's).")
flags.DEFINE_enum('feedback', None, list(gumbel.FEEDBACKS),
                  'What a Gumbel-softmax rollout feeds back: soft, hard '
                  "(RelGAN) or straight_through (default: the config's).")
flags.DEFINE_float('final_temperature', None, 'Gumbel-softmax temperature at '
                   "the end of the adversarial stage, 1 / RelGAN's beta_max "
                   "(default: the config's).")
flags.register_validator(
    'final_temperature', lambda value: value is None or value > 0,
    '--final_temperature must be > 0 (RelGAN: 0.1, 0.01 or 0.001).')
flags.DEFINE_enum('init_from', 'auto', list(pretrained.INIT_FROM),
                  'A new model_dir starts MLE from the pretrained generator '
                  'shipped for --config (auto: when it fits the run; '
                  'pretrained: required; scratch: from nothing).')
flags.DEFINE_string('export_pretrained', None, 'After MLE, write the '
                    'generator as a pretrained starting point (float16 '
                    'weights and model card) into this directory '
                    '(bin/pretrain_small.sh).')
flags.DEFINE_bool('jit_compile', None, 'Compile every training step with '
                  "XLA (default: the config's; base: yes).")
flags.DEFINE_enum('precision', None, list(precision.PRECISIONS),
                  "MLE compute dtype (default: the config's; auto = "
                  'bfloat16 matmuls on TPUs and on CPUs with avx512_bf16 / '
                  'amx_bf16, float32 elsewhere).')


def _config():
  config = configs.get_config(FLAGS.config, FLAGS.generator)
  train = {name: FLAGS[name].value for name in ('eval_every', 'precision')
           if FLAGS[name].value}
  if FLAGS.jit_compile is not None:
    train['jit_compile'] = FLAGS.jit_compile
  if train:
    config = dataclasses.replace(config, train=dataclasses.replace(
        config.train, **train))
  overrides = {name: FLAGS[name].value for name in (
      'genre_weight', 'realism_weight', 'mle_weight', 'kl_weight',
      'realism_loss', 'feedback', 'final_temperature')
      if FLAGS[name].value is not None}
  if overrides:
    config = dataclasses.replace(config, adversarial=dataclasses.replace(
        config.adversarial, **overrides))
  return config


def run():
  config = _config()
  for name in ('mle_steps', 'adv_steps', 'num_samples', 'sample_length'):
    if FLAGS[name].value is not None and FLAGS[name].value < 1:
      raise ValueError(f'--{name} must be at least 1.')
  builder = datasets.get_builder(FLAGS.dataset or config.dataset,
                                 data_dir=FLAGS.data_dir)
  vocabulary = datasets.get_vocabulary(builder)
  adversarial = FLAGS.phase in ('all', 'adversarial')
  if adversarial:
    if not FLAGS.genre or ',' in FLAGS.genre:
      raise ValueError('--genre=G names the one target genre of the '
                       'adversarial stage; choose from: '
                       f'{", ".join(vocabulary.genres)}.')
    datasets.genre_ids(builder, [FLAGS.genre])
  mle_genres = FLAGS.mle_genres.split(',') if FLAGS.mle_genres else None
  if mle_genres:
    datasets.genre_ids(builder, mle_genres)
  model_dir = FLAGS.model_dir or os.path.join('runs', config.name)
  file_checks.ensure_writable_dir(model_dir, '--model_dir')
  strategy = strategies.get_strategy(FLAGS.strategy)
  chief = cluster.is_chief(strategy)  # One process: True.
  run_lib.check_model_dir(model_dir, config.name, vocabulary.genres,
                          config.generator, write=chief)
  classifier_path = FLAGS.classifier_path or run_lib.default_classifier_dir(
      model_dir, builder, config)
  if adversarial and FLAGS.classifier_path:
    # A given classifier must fit before hours of training, not after.
    classifier_io.load_classifier(classifier_path, vocabulary.genres,
                                  [FLAGS.genre])
  need_classifier = adversarial and not os.path.exists(
      os.path.join(classifier_path, classifier_io.MODEL_FILE))
  mle_steps = FLAGS.mle_steps or run_lib.DEFAULT_MLE_STEPS[config.name]
  adv_steps = FLAGS.adv_steps or run_lib.DEFAULT_ADV_STEPS[config.name]
  dtype = precision.for_run(config, strategy)
  card = None
  if FLAGS.phase in ('all', 'mle'):
    card, _ = pretrained.choose(config, vocabulary.genres, FLAGS.init_from)
    if card is not None and tf.train.latest_checkpoint(
        os.path.join(model_dir, 'checkpoints')):
      card = None  # Resuming its own run.
  print(f'genre_gan_train: config {config.name}, generator '
        f'{config.generator}, {builder.info.full_name}, '
        f'target genre {FLAGS.genre if adversarial else "-"}, model_dir '
        f'{model_dir}, {strategy.num_replicas_in_sync} replica(s), MLE in '
        f'{dtype} ({precision.describe_cpu()}).\n' +
        run_lib.plan(config, mle_steps, adv_steps, need_classifier,
                     FLAGS.phase, card and card['step']), flush=True)
  if adversarial:
    if chief:  # In a cluster the chief trains it alone; the others wait.
      run_lib.get_classifier_path(
          config, builder, model_dir, classifier_path, FLAGS.seed,
          strategy if not cluster.in_cluster(strategy) else None)
    cluster.barrier(strategy)
  if FLAGS.phase in ('all', 'mle'):
    result = run_lib.run_mle(config, builder, vocabulary, model_dir,
                             mle_steps, strategy, mle_genres, FLAGS.seed,
                             FLAGS.eval_batches, init_from=FLAGS.init_from)
    print(f'MLE step {result["step"]}: train loss {result["loss"]}, '
          f'{result["eval_split"]} NLL {result["eval_nll"]:.4f} nats/token '
          f'(unigram entropy {result["unigram_entropy"]:.4f}); checkpoint '
          f'{result["checkpoint"]}', flush=True)
    if FLAGS.export_pretrained and chief:
      exported = run_lib.export_pretrained(
          model_dir, config, builder, result, FLAGS.export_pretrained,
          command='genre_gan_train ' + ' '.join(sys.argv[1:]))
      print(f'Pretrained generator written to {FLAGS.export_pretrained} '
            f'(step {exported["step"]}, '
            f'{exported["weights_bytes"] / 1e6:.1f} MB).')
  if not adversarial:
    return
  evaluator = run_lib.load_evaluator(
      config, builder, FLAGS.genre,
      FLAGS.evaluator_dir or run_lib.default_evaluator_dir(model_dir, builder),
      FLAGS.seed) if chief else None  # Samples are judged by the chief.
  trainer = run_lib.run_adversarial(
      config, builder, vocabulary, model_dir, FLAGS.genre, adv_steps,
      classifier_path, strategy, evaluator=evaluator, seed=FLAGS.seed)
  print(f'Adversarial step {trainer.step}: checkpoint '
        f'{trainer.manager.latest_checkpoint}; samples and report in '
        f'{trainer.directory}', flush=True)
  if not chief:
    return
  # The control arm: the MLE generator the GAN stage started from (the
  # trainer already holds it as its KL reference when kl_weight > 0).
  control = trainer.reference
  if control is None and trainer.pretrained:
    control = generator_io.load_generator(trainer.pretrained)[0]
  table = run_lib.final_report(
      config, builder, trainer.generator, FLAGS.genre, trainer.classifier,
      evaluator, trainer.directory, FLAGS.num_samples,
      FLAGS.sample_length or config.model.max_len, FLAGS.seed,
      control=control)
  print(table)
  print(f'Listen (MIDI, WAV, piano rolls): genre_gan_generate '
        f'--model_dir={model_dir} --genre={FLAGS.genre} '
        f'--output_dir=samples/{FLAGS.genre}')


def main(argv):
  logging.set_verbosity(logging.INFO)
  return script_utils.run_main('genre_gan_train', run, argv)


def console_entry_point():
  app.run(main)


if __name__ == '__main__':
  console_entry_point()
