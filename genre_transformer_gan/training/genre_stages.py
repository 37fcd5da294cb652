"""The genre stages of `genre_gan_train`: MLE on the target genre alone and
the GAN stage, each in its own folder of the run, each resuming.

  model_dir/mle_<genre>/          run_genre_mle: a branch of model_dir's MLE
                                  model (branch_mle) trained on the genre
  model_dir/adversarial_<genre>/  run_adversarial: the GAN stage from
                                  model_dir's MLE model or from mle_<genre>

control_generator gives the report's control arm of a GAN stage.
"""

import os

import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan import datasets
from genre_transformer_gan import run_layout
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.models import checkpoint_files
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.training import adversarial
from genre_transformer_gan.training import checkpointing
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import monitor
from genre_transformer_gan.training import run_lib

BRANCH_FILE = 'branch.json'


def branch_mle(config, vocab_size: int, source: str, directory: str,
               strategy=None, seed: int = 0) -> int:
  """A new MLE run in `directory` from checkpoint `source`'s weights,
  optimizer, dropout seeds and step (written once; later calls read it).

  Not a copy of the folder: the copy's saved input position belongs to the
  pipeline that wrote it (all genres), and the branch reads another.

  Returns:
    The step the branch started at.
  """
  record = os.path.join(directory, BRANCH_FILE)
  if tf.io.gfile.exists(record):
    fix = (f'delete the folder {directory} to tune the genre again from '
           'the MLE model')
    step = atomic_files.read_json(record, 'branch record', fix,
                                  keys=('step',))['step']
    if not isinstance(step, int):
      raise ValueError(f'{record} is not a readable branch record (step '
                       f'{step!r}); {fix}.')
    return step
  checkpoint_files.check_readable(source)
  trainer = mle.MleTrainer(config, vocab_size, directory, strategy, seed=seed)
  tf.train.Checkpoint(
      model=trainer.model, optimizer=trainer.optimizer,
      seed_states=checkpointing.seed_states(trainer.model),
      step_offset=trainer.step_offset).restore(source).expect_partial(
      ).assert_existing_objects_matched()
  trainer.manager.save(checkpoint_number=trainer.step)
  atomic_files.write_json(record, {'source': source, 'step': trainer.step})
  return trainer.step


def run_genre_mle(config, builder, vocabulary, model_dir: str, genre: str,
                  steps: int, strategy, seed: int = 0, eval_batches: int = 20,
                  log=print) -> str:
  """`steps` of MLE on `genre` alone from model_dir's MLE model, in
  model_dir/mle_<genre> (resuming); returns that folder.

  The genre stage that validation chose for `small` (bench_gan's arm B).
  """
  source = checkpoint_files.latest(run_layout.checkpoints_dir(model_dir))
  if source is None:
    raise FileNotFoundError(
        f'No MLE checkpoint in {model_dir}/checkpoints to tune for {genre}; '
        'run `genre_gan_train --phase=mle` (or --phase=all) first.')
  directory = run_layout.genre_mle_dir(model_dir, genre)
  start = branch_mle(config, vocabulary.size, source, directory, strategy,
                     seed)
  # run_mle counts steps beyond the branch's pretrained offset.
  offset = run_lib.mle_start_step(directory, None)
  result = run_lib.run_mle(config, builder, vocabulary, directory,
                   start - offset + steps, strategy, genres=[genre],
                   seed=seed, eval_batches=eval_batches, log=log)
  log(f'MLE on {genre}: step {result["step"]}, {result["eval_split"]} NLL '
      f'{result["eval_nll"]:.4f} nats/token; checkpoint '
      f'{result["checkpoint"]}')
  return directory


def adversarial_dataset_fn(config, builder, genre, seed=0):
  """input_context -> (real crops of genre, MLE batches[, primers of the
  other genres]) for the GAN stage."""
  settings = config.adversarial
  genre_id = datasets.genre_ids(builder, [genre])[0]
  others = ()
  if settings.other_genre_primers:
    others = datasets.genre_ids(builder, [
        g for g in datasets.get_vocabulary(builder).genres if g != genre])
    if not others:
      raise ValueError(f'other_genre_primers needs a genre besides {genre} '
                       f'in {builder.info.full_name}.')

  def dataset_fn(input_context):
    return pipeline.adversarial_dataset(
        builder.as_dataset(split='train'), genre_id,
        settings.primer_len + settings.sample_len, config.max_len,
        settings.batch_size, settings.mle_batch_size, seed=seed,
        input_context=input_context, other_genre_ids=others,
        primer_len=settings.primer_len,
        augmentation_settings=config.train.augmentation())
  return dataset_fn


def run_adversarial(config, builder, vocabulary, model_dir, genre, steps,
                    classifier_path, strategy, evaluator=None, seed=0,
                    start_dir=None):
  """Adversarial fine-tuning for `genre` into model_dir/adversarial_<genre>
  (resuming) from start_dir's latest checkpoint (default: model_dir's MLE
  model; e.g. mle_<genre>); returns the trainer."""
  settings = config.adversarial
  trainer = adversarial.AdversarialTrainer(
      config, vocabulary, start_dir or model_dir, classifier_path, genre,
      steps, strategy=strategy, seed=seed,
      directory=run_layout.adversarial_dir(model_dir, genre))
  # The evaluator judges crops of at least its shortest training crop.
  length = settings.sample_len if evaluator is None else max(
      settings.sample_len, config.evaluator.min_crop_len)
  watch = monitor.SampleMonitor(
      genre, vocabulary.genre_token(genre), settings.eval_samples, length,
      classifier=trainer.classifier, evaluator=evaluator, seed=seed,
      sampling_config=config.sampling)
  trainer.result = trainer.train(
      adversarial_dataset_fn(config, builder, genre, seed), steps,
      evaluate=watch)
  return trainer


def control_generator(trainer):
  """The MLE generator a GAN stage started from: the report's control arm
  (the trainer already holds it as its KL reference when kl_weight > 0)."""
  if trainer.reference is not None:
    return trainer.reference
  if trainer.pretrained:
    return generator_io.load_generator(trainer.pretrained)[0]
  return None

