"""The stages of `genre_gan_train`, for sequence.py and benchmarks.

  check_model_dir -> adversaries.py (the frozen classifiers) ->
  run_mle (resumes; from the shipped pretrained generator or scratch) ->
  load_evaluator -> genre_stages.py (MLE on the genre, the GAN stage;
  resume) -> cache_fit.py -> final_report.py

sequence.train_genre_gan runs them in that order for the console script and
the notebooks; benchmarks (bench/bench_gan.py) recombine them into arms.
"""

from typing import Optional

import numpy as np
import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import pipeline
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.models import checkpoint_files
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import pretrained
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import precision

# MLE steps a run adds beyond its start, per config: from scratch (what
# bin/pretrain_small.sh gave the shipped generator), and after the shipped
# pretrained generator. `small`'s learned corpus_genre/full, whose train
# split holds all of `small`'s: 100 more steps on `small` before the genre
# stage left the classical NLL after it no lower (test 1.383 against 1.377
# without them) and cost the quick start 6 of its 19 minutes on an AVX2 CPU
# (BENCHMARKS.md, "The quick start").
DEFAULT_MLE_STEPS = {'tiny': 100, 'small': 2500, 'base': 200_000}
DEFAULT_MLE_STEPS_AFTER_PRETRAINED = {'tiny': 20, 'small': 0, 'base': 20_000}
DEFAULT_ADV_STEPS = {'tiny': 20, 'small': 100, 'base': 20_000}
# Eval batches per genre and split of a pretrained card's reference_nll.
REFERENCE_BATCHES = 10


def default_mle_steps(config_name: str, start_step: int) -> int:
  """MLE steps to add by default: fewer when starting from trained weights."""
  table = (DEFAULT_MLE_STEPS_AFTER_PRETRAINED if start_step else
           DEFAULT_MLE_STEPS)
  return table[config_name]


def check_model_dir(model_dir: str, config_name: str, genres,
                    generator: str = 'transformer', write: bool = True
                    ) -> None:
  """Refuses a model_dir trained with another config, family or vocabulary.

  Then records this run's (unless `write` is False: a non-chief worker).
  """
  path = run_layout.run_file(model_dir)
  run = {'config': config_name, 'genres': list(genres),
         'generator': generator}
  if tf.io.gfile.exists(path):
    previous = generator_io.read_run(model_dir)
    if previous != run:
      raise ValueError(
          f'{model_dir} holds a run with config {previous["config"]!r}, '
          f'generator {previous["generator"]!r} and genres '
          f'{previous["genres"]}; use --config={previous["config"]} '
          f'--generator={previous["generator"]} with its dataset, or a new '
          '--model_dir.')
  tf.io.gfile.makedirs(model_dir)
  if write:
    atomic_files.write_json(path, run, indent=None)


def default_evaluator_dir(model_dir, dataset_name: str) -> str:
  """Where genre_gan_train keeps the evaluator of model_dir's runs."""
  return run_layout.evaluator_dir(run_layout.runs_root(model_dir),
                                  dataset_name)


def mle_start_step(model_dir: str, card: Optional[dict]) -> int:
  """The step MLE starts counting added steps from.

  A resumed run's checkpointed step_offset (the pretrained step it started
  from, or 0), else the card's step for a fresh pretrained start, else 0.
  """
  prefix = checkpoint_files.latest(run_layout.checkpoints_dir(model_dir))
  if prefix:
    try:
      return int(tf.train.load_variable(
          prefix, 'step_offset/.ATTRIBUTES/VARIABLE_VALUE'))
    except (tf.errors.NotFoundError, ValueError):
      return 0
  return card['step'] if card else 0


def report_guidance(config, genre: Optional[str] = None) -> str:
  """The genre stage's report guidance for `genre`: the config's
  (`sampling.guidance_for`), ranked by the K+1 discriminator; none without
  one (the genre-only classifier calls nearly every sample its genre,
  BENCHMARKS.md)."""
  return (config.sampling.guidance_for(genre)
          if config.adversarial.generated_class else 'none')


def uses_generated_class(config, genre: Optional[str] = None,
                         genre_stage: Optional[str] = None) -> bool:
  """Whether the genre stage for `genre` needs the K+1 discriminator: as
  its adversary (a GAN stage) or to guide its report's samples. 'mle' for
  a genre drawn unguided (`small`'s classical and folk) needs none, so
  none is made."""
  if not config.adversarial.generated_class:
    return False
  stage = genre_stage or config.stage_for(genre)
  return stage != 'mle' or config.sampling.guidance_for(genre) != 'none'


def genre_mle_control(config, genre: Optional[str] = None) -> str:
  """What the 'mle' genre stage's report sets `genre`'s samples beside:
  'all_genres' (the MLE model of all genres the stage started from) for a
  genre drawn unguided, else 'unguided' (the same generator without
  guidance)."""
  return ('all_genres' if report_guidance(config, genre) == 'none' else
          'unguided')


def plan(config, mle_steps: int, adv_steps: int, classifier: Optional[str],
         phase: str, start_step: int = 0, pretrained_step: bool = False,
         genre_stage: Optional[str] = None, genre: Optional[str] = None,
         generated: Optional[str] = 'train') -> str:
  """The stages, in order (classifier and, with the class "generated",
  generated, the K+1 discriminator: None (none to make), 'shipped' or
  'train'; `genre` the target, whose guidance the report uses). Times are
  not guessed from another CPU: each stage prints its rate and ETA from its
  own first timed steps."""
  stages = []
  if classifier == 'shipped':
    stages.append('the shipped genre classifier')
  elif classifier:
    stages.append(f'train the genre classifier ({config.classifier.steps} '
                  'steps)')
  if phase in ('all', 'mle'):
    start = (f'start from the pretrained generator ({start_step} MLE '
             'steps), ' if pretrained_step else '')
    stages.append(start + (f'{mle_steps} MLE steps' if mle_steps else
                           'no further MLE steps') +
                  f' (to step {start_step + mle_steps})')
  if phase in ('all', 'adversarial'):
    settings = config.adversarial
    stage = genre_stage or config.stage_for(genre)
    needed = uses_generated_class(config, genre, stage)
    if needed and generated == 'shipped':
      stages.append('the shipped discriminator with the class "generated"')
    elif needed and generated:
      stages.append(f'add the class "generated" to the classifier '
                    f'({settings.generated_samples} MLE samples, '
                    f'{settings.generated_steps} steps)')
    guided = report_guidance(config, genre)
    if stage == 'mle':
      stages.append(f'{adv_steps} MLE steps on the genre alone, then samples '
                    f'(guidance {guided}) and an evaluation report beside ' +
                    {'all_genres': 'the MLE model of all genres',
                     'unguided': 'the same model unguided'}[
                         genre_mle_control(config, genre)])
    elif stage == 'mle_adversarial':
      stages.append(f'{adv_steps} MLE steps on the genre alone, then '
                    f'{adv_steps} adversarial steps from that model, then '
                    f'samples (guidance {guided}) of both and an evaluation '
                    'report')
    else:
      stages.append(f'adversarial fine-tuning to step {adv_steps}, then '
                    'samples and an evaluation report with its MLE control')
  return ('Plan: ' + ' -> '.join(stages) + '. Each stage prints its ETA '
          'from its first timed steps on this machine.')


def mle_dataset_fn(config, builder, seed=0, genre_ids=None):
  """input_context -> the MLE training batches (MleTrainer.train's input),
  genres drawn by config.train.genre_balance."""
  weights = None
  if config.train.genre_balance != 1.0 and (genre_ids is None or
                                            len(genre_ids) > 1):
    shares = datasets.genre_weights(datasets.genre_counts(builder),
                                    config.train.genre_balance)
    ids = datasets.genre_ids(builder, list(shares))
    weights = {i: shares[g] for i, g in zip(ids, shares)
               if genre_ids is None or i in genre_ids}

  def dataset_fn(input_context):
    return pipeline.train_dataset(
        builder.as_dataset(split='train'), config.max_len,
        config.batch_size, seed=seed, genre_ids=genre_ids,
        input_context=input_context, genre_weights=weights,
        length_balance=config.train.length_balance,
        **config.train.augmentation())
  return dataset_fn


def run_mle(config, builder, vocabulary, model_dir, mle_steps, strategy,
            genres=None, seed=0, eval_batches=20, init_from='scratch',
            log=print, evaluate_untrained: bool = True) -> dict:
  """MLE (resuming) on `genres` (None: all); returns MleTrainer.train's
  result + eval_split, unigram_entropy, checkpoint, pretrained (the card
  started from, or None) and start_offset (the step mle_steps count from).

  Trains to step start + mle_steps, where start is the step the run
  started from (mle_start_step): a resumed run continues to the same
  target, one already there only evaluates (unless evaluate_untrained is
  False: then eval_nll and unigram_entropy are None; genre_gan_train's
  genre stage reports that model's NLL anyway). A fresh model_dir starts
  from the pretrained generator shipped for the config when `init_from`
  allows and it fits (models/pretrained.py).
  """
  genre_ids = datasets.genre_ids(builder, genres) if genres else None
  max_len = config.max_len

  eval_split = 'validation' if 'validation' in builder.info.splits else 'train'
  eval_of = lambda split: pipeline.eval_dataset(
      builder.as_dataset(split=split), max_len, config.batch_size,
      genre_ids=genre_ids).take(eval_batches).cache()
  eval_data = eval_of(eval_split)
  if genre_ids and not list(eval_data.take(1)):  # No held-out music of them.
    eval_split = 'train'
    eval_data = eval_of(eval_split)
  trainer = mle.MleTrainer(config, vocabulary.size, model_dir, strategy,
                           seed=seed)
  card = pretrained.initialize(trainer, config, vocabulary.genres, init_from,
                               log=log)
  start_offset = int(trainer.step_offset.numpy())
  target_step = start_offset + mle_steps
  result = trainer.train(mle_dataset_fn(config, builder, seed, genre_ids),
                         target_step, eval_dataset=eval_data)
  if result['eval_nll'] is None and evaluate_untrained:  # Nothing trained.
    result['eval_nll'] = trainer.evaluate(eval_data)
  result['eval_split'] = eval_split
  result['unigram_entropy'] = (None if result['eval_nll'] is None
                               else unigram_entropy(eval_data))
  result['checkpoint'] = trainer.manager.latest_checkpoint
  result['pretrained'] = card
  result['start_offset'] = start_offset
  return result


def export_pretrained(model_dir, config, builder, mle_result: dict,
                      directory: str, command: str,
                      data_dir: Optional[str] = None, reference=None) -> dict:
  """The latest MLE checkpoint of model_dir as a pretrained starting point,
  with its per-genre NLL on `reference` (a TFDS builder; default: the
  embedded dataset in data_dir) as the card's `reference_nll`.

  Returns:
    Its model card (models/pretrained.py).
  """
  model, _, checkpoint = generator_io.load_generator(model_dir)
  if checkpoint.stage != 'mle':
    raise ValueError(f'{checkpoint.prefix} is not an MLE checkpoint.')
  # Measured as users get it: float16 weights, float32 arithmetic.
  pretrained.round_to_float16(model)
  info = {'command': command, 'dataset': builder.info.full_name,
          'validation_nll': mle_result['eval_nll'],
          'eval_split': mle_result['eval_split'],
          # > 0: continued from the shipped generator of that step.
          'started_at_step': mle_result.get('start_offset', 0),
          'unigram_entropy': mle_result['unigram_entropy'],
          # This command's steps' (an earlier part's: its own command).
          'augmentation': config.train.augmentation(),
          'reference_nll': reference_nll(
              model, config, checkpoint.genres,
              reference or datasets.get_builder(datasets.DEFAULT_DATASET,
                                                data_dir)),
          'precision': precision.for_run(config),
          'seconds': mle_result.get('seconds'),
          'cpu': precision.cpu_model()}
  step = int(checkpoint.prefix.rsplit('-', 1)[-1])
  return pretrained.export(model, config, checkpoint.genres, step, info,
                           directory)


def reference_nll(model, config, genres, builder,
                  batches: int = REFERENCE_BATCHES) -> Optional[dict]:
  """{'dataset', 'batches', 'validation': {genre: NLL}, 'test': {...}}: a
  generator's NLL (nats/token) per genre on a builder's held-out music
  (for the cards: the embedded dataset, which every pretrained generator
  is compared on whatever it learned from); None when its genres differ
  from the model's."""
  if datasets.get_vocabulary(builder).genres != tuple(genres):
    return None
  return dict({'dataset': builder.info.full_name, 'batches': batches},
              **{split: {genre: likelihood.mean_nll(model, data)
                         for genre, data in likelihood.genre_batches(
                             builder, split, config, batches).items()}
                 for split in ('validation', 'test')})


def unigram_entropy(dataset, max_batches=50):
  """Entropy (nats) of the token frequencies: a no-context baseline NLL."""
  tokens = np.concatenate([batch.numpy()[:, 1:].ravel()
                           for batch in dataset.take(max_batches)])
  counts = np.bincount(tokens).astype(np.float64)
  counts[0] = 0  # PAD
  probs = counts[counts > 0] / counts.sum()
  return float(-(probs * np.log(probs)).sum())


def load_evaluator(config, music, genre, directory, seed=0):
  """The independent evaluator in `directory` (trained on first use on
  `music`, an evaluation/real_data.RealMusic)."""
  evaluator, _ = evaluator_lib.load_or_train(config, music, directory,
                                             [genre], seed=seed)
  return evaluator
