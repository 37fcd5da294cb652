"""The `genre_gan_train` sequence in one call, for the script and notebooks.

  outcome = sequence.train_genre_gan(configs.get_config('small'),
                                     sequence.RunSettings(genre='classical'))

runs, in order: dataset -> frozen genre classifier (shipped, trained once
per dataset and config, or given) -> MLE from the shipped pretrained generator
(or from scratch), `mle_steps` beyond its start -> adversarial fine-tuning
for one genre -> the final report: samples of the tuned generator and of
its MLE control, judged beside real music (final_report.py). Every stage
resumes from its checkpoints. `genre_gan_train` and both Colab notebooks
call this function, so their defaults cannot drift apart.
"""

import contextlib
import dataclasses
from typing import Optional, Sequence, Union

import tensorflow as tf

from genre_transformer_gan import choices
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan import file_checks
from genre_transformer_gan.models import checkpoint_files
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.models import pretrained
from genre_transformer_gan.models import shipped_classifier
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import adversaries
from genre_transformer_gan.training import cache_fit
from genre_transformer_gan.training import cluster
from genre_transformer_gan.training import final_report as final_report_lib
from genre_transformer_gan.training import genre_stages
from genre_transformer_gan.training import precision
from genre_transformer_gan.training import run_lib
from genre_transformer_gan.training import strategies


@dataclasses.dataclass(frozen=True)
class RunSettings:
  """What a `genre_gan_train` run is asked to do (its flags, as a value).

  Attributes:
    genre: target genre of the adversarial stage (phase 'all' /
      'adversarial').
    phase: 'all', 'mle' or 'adversarial'.
    model_dir: default run_layout.default_model_dir(config name).
    dataset: TFDS name (default: the config's); data_dir, manual_dir: TFDS.
    mle_genres: MLE on these genres only (default: all).
    mle_steps: MLE steps added beyond the start (the shipped generator's
      step, or 0 from scratch); default run_lib.default_mle_steps.
    adv_steps: adversarial steps; default run_lib.DEFAULT_ADV_STEPS.
    classifier_path, evaluator_dir: default next to the run (run_layout).
    init_from: 'auto', 'pretrained' or 'scratch' (models/pretrained.py).
    export_pretrained: after MLE, write the generator there as a
      pretrained starting point; `command` goes on its card.
    num_samples, sample_length: the final report's samples (length
      default: the model's max_len).
    report_synth: the WAV renderer of the report's listen.html
      (generation/audio.SYNTHS; 'none': piano rolls only).
    genre_stage: 'adversarial', 'mle' or 'mle_adversarial' (GENRE_STAGES;
      None: the config's for the genre, Config.stage_for).
    classifier: 'auto' (the shipped frozen classifiers where they fit the
      run, else trained), 'shipped' (a misfit is an error) or 'train'
      (models/shipped_classifier.SOURCES).
  """
  genre: Optional[str] = None
  phase: str = 'all'
  model_dir: Optional[str] = None
  dataset: Optional[str] = None
  data_dir: Optional[str] = None
  manual_dir: Optional[str] = None
  mle_genres: Optional[Sequence[str]] = None
  mle_steps: Optional[int] = None
  adv_steps: Optional[int] = None
  classifier_path: Optional[str] = None
  evaluator_dir: Optional[str] = None
  seed: int = 0
  eval_batches: int = 20
  num_samples: int = 32
  sample_length: Optional[int] = None
  init_from: str = 'auto'
  export_pretrained: Optional[str] = None
  command: str = 'train_genre_gan'
  report_synth: str = 'auto'
  genre_stage: Optional[str] = None
  classifier: str = 'auto'


PHASES = choices.PHASES
GENRE_STAGES = choices.GENRE_STAGES


def _check(settings: RunSettings, vocabulary, builder) -> None:
  """One-line errors for settings that cannot run, before any work."""
  if settings.phase not in PHASES:
    raise ValueError(f'phase {settings.phase!r} is unknown; choose one of: '
                     f'{", ".join(PHASES)}.')
  for name in ('adv_steps', 'num_samples', 'sample_length'):
    value = getattr(settings, name)
    if value is not None and value < 1:
      raise ValueError(f'--{name} must be at least 1.')
  if settings.classifier not in shipped_classifier.SOURCES:
    raise ValueError(f'--classifier={settings.classifier} is unknown; choose '
                     f'one of: {", ".join(shipped_classifier.SOURCES)}.')
  if settings.genre_stage not in (None,) + GENRE_STAGES:
    raise ValueError(f'--genre_stage={settings.genre_stage} is unknown; '
                     f'choose one of: {", ".join(GENRE_STAGES)}.')
  if settings.mle_steps is not None and settings.mle_steps < 0:
    raise ValueError('--mle_steps must be at least 0.')
  if settings.phase != 'mle':
    if not settings.genre or ',' in settings.genre:
      raise ValueError('--genre=G names the one target genre of the '
                       'adversarial stage; choose from: '
                       f'{", ".join(vocabulary.genres)}.')
    datasets.genre_ids(builder, [settings.genre])
  if settings.mle_genres:
    datasets.genre_ids(builder, list(settings.mle_genres))


def train_genre_gan(config, settings: RunSettings, builder=None,
                    strategy: Union[str, tf.distribute.Strategy] = 'auto',
                    log=print) -> dict:
  """Runs `genre_gan_train`'s sequence; every stage resumes.

  Args:
    config: a configs.Config.
    settings: the run's RunSettings.
    builder: a prepared TFDS builder (default: settings.dataset or the
      config's, built if needed).
    strategy: a tf.distribute strategy or a strategies.STRATEGIES name.
      In a cluster the chief trains the classifier, judges and writes the
      report; the other workers train alongside it.
    log: prints the plan and each stage's outcome.

  Returns:
    {'model_dir', 'classifier_path', 'mle' (run_mle's result or None),
     'exported' (a pretrained card or None), 'adversarial_dir', 'report'
     (the markdown table, None on a non-chief worker or phase 'mle')}.

  Raises:
    ValueError, FileNotFoundError, PermissionError: one line naming the fix.
  """
  if builder is None:
    builder = datasets.get_builder(settings.dataset or config.dataset,
                                   data_dir=settings.data_dir,
                                   manual_dir=settings.manual_dir)
  vocabulary = datasets.get_vocabulary(builder)
  _check(settings, vocabulary, builder)
  model_dir = settings.model_dir or run_layout.default_model_dir(config.name)
  file_checks.ensure_writable_dir(model_dir, '--model_dir')
  if isinstance(strategy, str):
    strategy = strategies.get_strategy(strategy)
  chief = cluster.is_chief(strategy)  # One process: True.
  run_lib.check_model_dir(model_dir, config.name, vocabulary.genres,
                          config.generator, write=chief)
  # One run writes a model_dir at a time (file_checks.exclusive).
  with (file_checks.exclusive(model_dir, '--model_dir', 'genre_gan_train')
        if chief else contextlib.nullcontext()):
    return _run_stages(config, settings, builder, vocabulary, model_dir,
                       strategy, chief, log)


def _run_stages(config, settings: RunSettings, builder, vocabulary,
                model_dir: str, strategy, chief: bool, log) -> dict:
  """train_genre_gan's stages, once its settings and model_dir are checked."""
  adversarial_phase = settings.phase in ('all', 'adversarial')
  mle_phase = settings.phase in ('all', 'mle')
  classifier_path = (settings.classifier_path or
                     adversaries.default_classifier_dir(model_dir, builder,
                                                        config))
  if adversarial_phase and settings.classifier_path:
    # A given classifier must fit before hours of training, not after.
    classifier_io.load_classifier(classifier_path, vocabulary.genres,
                                  [settings.genre])
  adv_steps = settings.adv_steps or run_lib.DEFAULT_ADV_STEPS[config.name]
  card = None
  if mle_phase and not checkpoint_files.latest(
      run_layout.checkpoints_dir(model_dir)):
    card, _ = pretrained.choose(config, vocabulary.genres, settings.init_from)
  start_step = run_lib.mle_start_step(model_dir, card)
  stage = settings.genre_stage or config.stage_for(settings.genre)
  generated = run_lib.uses_generated_class(config, settings.genre, stage)
  shipped = (adversaries.shipped_discriminators(
      config, vocabulary, model_dir, classifier_path, start_step,
      settings.classifier, generated=generated, log=log)
             if adversarial_phase else (None, None))
  mle_steps = (run_lib.default_mle_steps(config.name, start_step)
               if settings.mle_steps is None else settings.mle_steps)
  log(f'genre_gan_train: config {config.name}, generator {config.generator}, '
      f'{builder.info.full_name}, target genre '
      f'{settings.genre if adversarial_phase else "-"}, model_dir '
      f'{model_dir}, {strategy.num_replicas_in_sync} replica(s), MLE in '
      f'{precision.for_run(config, strategy)} ({precision.cpu_model()}, '
      f'{precision.describe_cpu()}).'
      '\n' + run_lib.plan(config, mle_steps, adv_steps,
                          _stage_plan(adversarial_phase, classifier_path,
                                      shipped[0]),
                          settings.phase, start_step, card is not None,
                          stage, genre=settings.genre,
                          generated=_stage_plan(
                              adversarial_phase,
                              run_layout.generated_classifier_dir(model_dir),
                              shipped[1])))
  outcome = {'model_dir': model_dir, 'classifier_path': classifier_path,
             'mle': None, 'exported': None, 'adversarial_dir': None,
             'report': None}
  if adversarial_phase:
    if chief:  # In a cluster the chief trains it alone; the others wait.
      adversaries.get_classifier_path(
          config, builder, model_dir, classifier_path, settings.seed,
          None if cluster.in_cluster(strategy) else strategy,
          shipped=shipped[0], log=log)
    cluster.barrier(strategy)
  if mle_phase:
    # With nothing to train, the genre stage's report gives this model's
    # NLL (its control row): evaluating it here too cost the quick start
    # 11-17 s.
    result = outcome['mle'] = run_lib.run_mle(
        config, builder, vocabulary, model_dir, mle_steps, strategy,
        settings.mle_genres, settings.seed, settings.eval_batches,
        init_from=settings.init_from, log=log,
        evaluate_untrained=(not adversarial_phase
                            or bool(settings.export_pretrained)))
    log(_mle_line(result))
    if settings.export_pretrained and chief:
      exported = outcome['exported'] = run_lib.export_pretrained(
          model_dir, config, builder, result, settings.export_pretrained,
          command=settings.command, data_dir=settings.data_dir)
      log(f'Pretrained generator written to {settings.export_pretrained} '
          f'(step {exported["step"]}, '
          f'{exported["weights_bytes"] / 1e6:.1f} MB).')
  if not adversarial_phase:
    return outcome
  # Samples are judged by the chief.
  music = real_data.RealMusic(builder) if chief else None
  evaluator = run_lib.load_evaluator(
      config, music, settings.genre,
      settings.evaluator_dir or
      run_lib.default_evaluator_dir(model_dir, music.name),
      settings.seed) if chief else None
  if generated:
    adversary_path = run_layout.generated_classifier_dir(model_dir)
    if chief:
      adversary_path = adversaries.get_generated_classifier_path(
          config, builder, vocabulary, model_dir, classifier_path,
          settings.seed, shipped=shipped[1], log=log)
    cluster.barrier(strategy)
    classifier_path = outcome['classifier_path'] = adversary_path
  config = config.for_genre(settings.genre)  # Its augmentation, if its own.
  if stage in ('mle', 'mle_adversarial'):
    return _genre_mle_stage(config, settings, builder, vocabulary, model_dir,
                            strategy, chief, music, evaluator,
                            classifier_path, adv_steps, outcome, log,
                            then_adversarial=stage == 'mle_adversarial')
  trainer = genre_stages.run_adversarial(
      config, builder, vocabulary, model_dir, settings.genre, adv_steps,
      classifier_path, strategy, evaluator=evaluator, seed=settings.seed)
  outcome['adversarial_dir'] = trainer.directory
  log(f'Adversarial step {trainer.step}: checkpoint '
      f'{trainer.manager.latest_checkpoint}; samples and report in '
      f'{trainer.directory}')
  if chief:
    config = cache_fit.fit_for_stage(
        config, trainer.generator, music, settings.genre, trainer.directory,
        trainer.manager.latest_checkpoint, log)
    outcome['report'] = final_report_lib.final_report(
        config, music, trainer.generator, settings.genre,
        trainer.classifier, evaluator, trainer.directory,
        settings.num_samples, settings.sample_length or config.max_len,
        settings.seed, control=genre_stages.control_generator(trainer),
        listen_synth=settings.report_synth, log=log)
    log(outcome['report'])
  return outcome


def _mle_line(result: dict) -> str:
  """The line run_lib.run_mle's result is logged with."""
  done = ('nothing to train (--mle_steps)' if result['loss'] is None
          else f'train loss {result["loss"]:.4f}')
  nll = ('the report gives its NLL' if result['eval_nll'] is None else
         f'{result["eval_split"]} NLL {result["eval_nll"]:.4f} nats/token '
         f'(unigram entropy {result["unigram_entropy"]:.4f})')
  return (f'MLE step {result["step"]}: {done}, {nll}; checkpoint '
          f'{result["checkpoint"]}')


def _stage_plan(adversarial_phase: bool, classifier_path: str,
                shipped: Optional[dict]) -> Optional[str]:
  """run_lib.plan's stage of the classifier (or K+1 discriminator) in
  classifier_path, `shipped` its shipped card if it fits: None (none to
  make), 'shipped' or 'train'."""
  if not adversarial_phase or classifier_io.exists(classifier_path):
    return None
  return 'shipped' if shipped else 'train'


def _genre_mle_stage(config, settings, builder, vocabulary, model_dir,
                     strategy, chief, music, evaluator, classifier_path,
                     steps, outcome, log, then_adversarial=False) -> dict:
  """`steps` of MLE on the genre alone (model_dir/mle_<genre>), reported
  with the genre's guidance by the K+1 discriminator beside the same
  generator unguided (genre stage 'mle'; a genre drawn unguided is
  reported beside model_dir's MLE model of all genres instead); with
  then_adversarial ('mle_adversarial'), `steps` of the GAN stage against
  the discriminator from that model (model_dir/adversarial_<genre>, its KL
  reference the MLE-on-genre model), reported beside that model, both
  guided alike."""
  directory = genre_stages.run_genre_mle(
      config, builder, vocabulary, model_dir, settings.genre, steps,
      strategy, settings.seed, settings.eval_batches, log=log)
  outcome['adversarial_dir'] = directory
  if then_adversarial:
    trainer = genre_stages.run_adversarial(
        config, builder, vocabulary, model_dir, settings.genre, steps,
        classifier_path, strategy, evaluator=evaluator, seed=settings.seed,
        start_dir=directory)
    outcome['adversarial_dir'] = trainer.directory
    log(f'Adversarial step {trainer.step} from {directory}: checkpoint '
        f'{trainer.manager.latest_checkpoint}')
  if not chief:
    return outcome
  generator, _, checkpoint = generator_io.load_generator(
      outcome['adversarial_dir'], vocabulary.genres, fitted_cache=False)
  config = cache_fit.fit_for_stage(config, generator, music, settings.genre,
                                   outcome['adversarial_dir'],
                                   checkpoint.prefix, log)
  discriminator = classifier_io.load_classifier(
      classifier_path, vocabulary.genres, [settings.genre])
  guided = run_lib.report_guidance(config, settings.genre)
  if then_adversarial:  # Does the GAN stage help the MLE-on-genre model?
    control_from, control_name = directory, final_report_lib.GENRE_MLE_ROW
    beside = 'the MLE-on-genre model, guided alike.'
  elif run_lib.genre_mle_control(config, settings.genre) == 'all_genres':
    # Drawn unguided: does MLE on the genre help?
    control_from, control_name = model_dir, final_report_lib.ALL_GENRES_ROW
    beside = f'the MLE model of all genres ({model_dir}).'
  else:  # Does guidance help?
    control_from, control_name = None, final_report_lib.UNGUIDED_ROW
    beside = 'the same generator unguided.'
  control = (generator_io.load_generator(control_from, vocabulary.genres)[0]
             if control_from else generator)
  log(f'Report: samples of {outcome["adversarial_dir"]} with guidance '
      f'{guided} by {classifier_path}, beside {beside}')
  outcome['report'] = final_report_lib.final_report(
      config, music, generator, settings.genre, discriminator, evaluator,
      outcome['adversarial_dir'], settings.num_samples,
      settings.sample_length or config.max_len, settings.seed,
      control=control, guidance_spec=guided, guide=discriminator,
      listen_synth=settings.report_synth, log=log, control_name=control_name,
      control_guided=then_adversarial)
  log(outcome['report'])
  return outcome
