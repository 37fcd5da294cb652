"""sequence.train_genre_gan: the whole `genre_gan_train` sequence in-process.

The command line and both notebooks call this function (test_notebooks.py
checks they do). The whole sequence on the embedded dataset runs in the slow
tier, through the command (test_genre_gan_train.py) and the notebooks.
"""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan import run_layout
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.training import adversarial
from genre_transformer_gan.training import mle
from genre_transformer_gan.training import run_lib
from genre_transformer_gan.training import sequence
from tests import tiny_models


def test_mle_steps_count_beyond_the_start(tmp_path):
  config = configs.get_config('tiny')
  model_dir = str(tmp_path / 'run')
  trainer = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, model_dir)
  trainer.step_offset.assign(7)  # As a pretrained start of 7 steps sets it.
  trainer.manager.save(checkpoint_number=7)
  assert run_lib.mle_start_step(model_dir, None) == 7
  assert run_lib.mle_start_step(str(tmp_path / 'new'), {'step': 2500}) == 2500
  assert run_lib.mle_start_step(str(tmp_path / 'new'), None) == 0
  assert run_lib.default_mle_steps('small', 2500) == 0
  assert run_lib.default_mle_steps('small', 0) == 2500
  resumed = mle.MleTrainer(config, tiny_models.VOCAB_SIZE, model_dir)
  data = tiny_models.sequences()
  result = resumed.train(tiny_models.dataset_fn(data, 8),
                         run_lib.mle_start_step(model_dir, None) + 3)
  assert result['step'] == 10


def test_a_start_left_untrained_is_evaluated_only_without_a_genre_stage(
    folders_builder, tmp_path, monkeypatch):
  """The genre stage's report gives the start's NLL: `--phase=all` does not
  evaluate it when no MLE step trains it; `--phase=mle` and
  `--export_pretrained` (whose card needs it) do."""
  asked = []

  class Stop(Exception):
    pass

  def run_mle(*args, evaluate_untrained, **kwargs):
    asked.append(evaluate_untrained)
    raise Stop
  monkeypatch.setattr(run_lib, 'run_mle', run_mle)
  monkeypatch.setattr(sequence.adversaries, 'get_classifier_path',
                      lambda *args, **kwargs: None)
  for phase, export in (('all', None), ('mle', None),
                        ('all', str(tmp_path / 'card'))):
    with pytest.raises(Stop):
      sequence.train_genre_gan(
          configs.get_config('tiny'), sequence.RunSettings(
              genre='classical', phase=phase, export_pretrained=export,
              model_dir=str(tmp_path / f'{phase}{len(asked)}')),
          builder=folders_builder, log=lambda line: None)
  assert asked == [False, True, True]


def test_plan_names_the_start_and_the_target():
  config = configs.get_config('small')
  assert ('start from the pretrained generator (2500 MLE steps), 100 MLE '
          'steps (to step 2600)') in run_lib.plan(
              config, 100, 100, None, 'all', 2500, True)
  assert 'no further MLE steps (to step 2500)' in run_lib.plan(
      config, 0, 100, None, 'mle', 2500, True)


def test_phase_mle_stops_before_the_adversary(folders_builder, tmp_path):
  outcome = sequence.train_genre_gan(
      configs.get_config('tiny'),
      sequence.RunSettings(phase='mle', model_dir=str(tmp_path / 'tiny'),
                           mle_steps=2, eval_batches=1),
      builder=folders_builder, log=lambda line: None)
  assert outcome['mle']['step'] == 2 and outcome['report'] is None
  assert not os.path.exists(tmp_path / 'classifier')


@pytest.mark.eager
def test_mle_resumes_to_its_target_and_refuses_another_run(folders_builder,
                                                          tmp_path):
  model_dir = str(tmp_path / 'tiny')

  def run(config_name='tiny', **settings):
    return sequence.train_genre_gan(
        configs.get_config(config_name),
        sequence.RunSettings(phase='mle', model_dir=model_dir,
                             eval_batches=1, **settings),
        builder=folders_builder, log=lambda line: None)
  assert run(mle_steps=3)['mle']['step'] == 3
  assert run(mle_steps=5)['mle']['step'] == 5  # Resumes at 3, to 5.
  again = run(mle_steps=5)  # Already there: evaluates only.
  assert again['mle']['step'] == 5 and again['mle']['eval_nll'] > 0
  assert 'nothing to train (--mle_steps), validation NLL' in (
      sequence._mle_line(again['mle']))  # pylint: disable=protected-access
  # Before a genre stage, whose report gives that NLL: not even that.
  with pytest.MonkeyPatch.context() as patch:
    patch.setattr(mle.MleTrainer, 'evaluate', lambda *args: 1 / 0)
    untouched = run_lib.run_mle(
        configs.get_config('tiny'), folders_builder,
        datasets.get_vocabulary(folders_builder), model_dir, 0,
        tf.distribute.get_strategy(), eval_batches=1,
        evaluate_untrained=False)
  assert untouched['step'] == 5 and untouched['eval_nll'] is None
  assert untouched['unigram_entropy'] is None
  assert sequence._mle_line(untouched) == (  # pylint: disable=protected-access
      'MLE step 5: nothing to train (--mle_steps), the report gives its '
      f'NLL; checkpoint {untouched["checkpoint"]}')
  with pytest.raises(ValueError, match="config 'tiny'.*--config=tiny"):
    run('small', mle_steps=1)
  with pytest.raises(ValueError, match='choose one of: classical'):
    run(mle_steps=1, mle_genres=['jazz'])


def test_unknown_phase_is_refused():
  with pytest.raises(ValueError, match='choose one of: all, mle, adversarial'):
    sequence._check(sequence.RunSettings(phase='gan'), None, None)  # pylint: disable=protected-access


def test_classifier_shipped_refuses_a_misfit_before_any_training(
    folders_builder, tmp_path):
  """--classifier=shipped with a config nothing ships for: one line naming
  the flag, before a classifier or generator step is trained."""
  lines = []
  with pytest.raises(ValueError, match="No 'tiny' genre classifier ships "
                     'with this package; pass --classifier=train.'):
    sequence.train_genre_gan(
        configs.get_config('tiny'),
        sequence.RunSettings(genre='folk', classifier='shipped',
                             model_dir=str(tmp_path / 'tiny')),
        builder=folders_builder, log=lines.append)
  assert not lines and not os.path.exists(tmp_path / 'classifier')
  assert not os.path.exists(tmp_path / 'tiny' / 'checkpoints')
  with pytest.raises(ValueError, match='--classifier=bogus is unknown'):
    sequence._check(sequence.RunSettings(classifier='bogus'), None, None)  # pylint: disable=protected-access


# The WaveNet runs the whole sequence in test_notebooks.py's train_tpu run.
@pytest.mark.slow
def test_another_generator_family_runs_every_stage_and_is_kept(
    folders_builder, tmp_path):
  """--generator=lstm: every stage unchanged, the family part of the run;
  generation finds its GAN stage; another family in its model_dir is
  refused with the flag that fits."""
  model_dir = str(tmp_path / 'runs' / 'lstm')

  def run(config, **settings):
    return sequence.train_genre_gan(
        config, sequence.RunSettings(
            genre='classical', model_dir=model_dir, num_samples=2,
            sample_length=16, eval_batches=1, **settings),
        builder=folders_builder, log=lambda line: None)
  outcome = run(configs.get_config('tiny', 'lstm'), mle_steps=3, adv_steps=2)
  assert '| classical | generated | 2 |' in outcome['report']
  assert '| classical | control: MLE only | 2 |' in outcome['report']
  with open(os.path.join(model_dir, 'run.json')) as f:
    assert json.load(f)['generator'] == 'lstm'
  generator = generate_lib.load(model_dir, 'classical')
  assert generator.checkpoint.stage == 'adversarial_classical'
  index = generate_lib.generate_files(
      generator, str(tmp_path / 'samples'), generate_lib.GenerateSettings(
          genre='classical', num_samples=1, length=24, synth='none'),
      log=lambda line: None)
  assert index['model']['generator'] == 'lstm'
  with pytest.raises(ValueError, match='--generator=lstm'):
    run(configs.get_config('tiny'), mle_steps=4, adv_steps=3)


def test_the_genre_stage_can_differ_by_genre():
  import dataclasses  # pylint: disable=import-outside-toplevel
  config = dataclasses.replace(
      configs.get_config('tiny'), genre_stage='mle',
      genre_stages=(('folk', 'mle_adversarial'),))
  assert config.stage_for('folk') == 'mle_adversarial'
  assert config.stage_for('classical') == config.stage_for(None) == 'mle'
  plan = lambda genre: run_lib.plan(  # noqa: E731
      config, 10, 5, None, 'all', genre_stage=config.stage_for(genre))
  assert '5 MLE steps on the genre alone, then 5 adversarial' in plan('folk')
  assert 'adversarial' not in plan('classical')


def test_the_guidance_can_differ_by_genre():
  import dataclasses  # pylint: disable=import-outside-toplevel
  tiny = configs.get_config('tiny')
  config = dataclasses.replace(
      tiny, genre_stage='mle',
      adversarial=dataclasses.replace(tiny.adversarial, generated_class=True),
      sampling=dataclasses.replace(tiny.sampling, guidance='drs:4',
                                   genre_guidance=(('folk', 'none'),)))
  assert config.sampling.guidance_for('folk') == 'none'
  assert config.sampling.guidance_for('classical') == 'drs:4'
  assert config.sampling.guidance_for(None) == 'drs:4'
  assert run_lib.report_guidance(config, 'folk') == 'none'
  assert run_lib.report_guidance(config, 'classical') == 'drs:4'
  plan = lambda genre: run_lib.plan(  # noqa: E731
      config, 10, 5, None, 'all', genre=genre)
  assert ('samples (guidance none) and an evaluation report beside the MLE '
          'model of all genres') in plan('folk')
  assert ('samples (guidance drs:4) and an evaluation report beside the '
          'same model unguided') in plan('classical')
  # folk is drawn unguided after MLE on it: no K+1 discriminator to make.
  assert 'generated' not in plan('folk')
  assert not run_lib.uses_generated_class(config, 'folk')
  assert 'add the class "generated"' in plan('classical')
  assert run_lib.uses_generated_class(config, 'classical')
  assert run_lib.uses_generated_class(config, 'folk', 'mle_adversarial')
  assert not run_lib.uses_generated_class(tiny, 'classical', 'adversarial')
  assert 'generated' not in run_lib.plan(config, 10, 5, None, 'all',
                                         genre='classical', generated=None)
  assert 'the shipped discriminator' in run_lib.plan(
      config, 10, 5, None, 'all', genre='classical', generated='shipped')
  assert 'the shipped discriminator' not in run_lib.plan(
      config, 10, 5, None, 'all', genre='folk', generated='shipped')
  assert run_lib.genre_mle_control(config, 'folk') == 'all_genres'
  assert run_lib.genre_mle_control(config, 'classical') == 'unguided'
  small = configs.get_config('small').sampling  # Chosen on validation.
  assert [(small.guidance_for(genre), small.temperature_for(genre),
           small.top_p_for(genre))
          for genre in ('folk', 'classical', 'early')] == [
              ('none', 1.15, 0.95), ('none', 1.0, 0.95), ('none', 1.0, 0.98)]
  assert small.max_note_seconds == 5.0
  # So `small`'s genre stages (the quick start's classical among them)
  # make no K+1 discriminator; other datasets' genres are drawn by drs:4.
  for genre in ('folk', 'classical', 'early'):
    assert not run_lib.uses_generated_class(configs.get_config('small'),
                                            genre)
  assert small.guidance_for('jazz') == 'drs:4'


def test_the_genre_stage_augmentation_can_differ_by_genre():
  import dataclasses  # pylint: disable=import-outside-toplevel
  tiny = configs.get_config('tiny')
  config = dataclasses.replace(tiny, genre_augmentations=(('folk', 'none'),))
  assert config.for_genre('folk').train.augmentation() == (
      configs.AUGMENTATIONS['none'])
  assert dataclasses.replace(config.for_genre('folk'),
                             train=tiny.train) == config
  assert config.for_genre('classical') is config
  assert config.for_genre(None) is config
  assert tiny.train.max_transpose == 3  # The shared config is untouched.
  with pytest.raises(ValueError, match='choose one of: stretch, transpose'):
    dataclasses.replace(tiny, genre_augmentations=(('folk', 'shift'),))


@pytest.mark.slow
@pytest.mark.eager
def test_the_genre_stages_mle_and_mle_adversarial(folders_builder, tmp_path,
                                                  monkeypatch):
  """classical with --genre_stage=mle (small's for it): MLE on the genre in
  mle_<genre>, a K+1 discriminator, its rerank guidance in the report beside
  the same model unguided; generation picks the stage; a re-run only
  resumes; drawn unguided, it is reported beside the MLE model of all
  genres. Then folk in the same run with mle_adversarial (small's for
  folk): MLE on folk, the GAN stage from that model (its KL reference),
  both reported with the same guidance; generation picks the GAN stage.
  folk's crops are not transposed there (genre_augmentations), classical's
  are."""
  import dataclasses  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import pipeline  # pylint: disable=import-outside-toplevel
  transposed = []  # (dataset, max_transpose) of each genre stage pipeline
  for name, key in (('train_dataset', None),
                    ('adversarial_dataset', 'augmentation_settings')):
    def record(*args, _name=name, _key=key, _made=getattr(pipeline, name),
               **kwargs):
      settings = kwargs[_key] if _key else kwargs
      if _key or kwargs.get('genre_ids'):  # Not MLE on all genres.
        transposed.append((_name, settings.get('max_transpose')))
      return _made(*args, **kwargs)
    monkeypatch.setattr(pipeline, name, record)
  tiny = configs.get_config('tiny')
  config = dataclasses.replace(
      tiny, genre_stage='mle', genre_stages=(('folk', 'mle_adversarial'),),
      genre_augmentations=(('folk', 'none'),),
      adversarial=dataclasses.replace(tiny.adversarial, generated_class=True,
                                      kl_weight=1.0),
      sampling=dataclasses.replace(tiny.sampling, guidance='rerank:2',
                                   genre_temperatures=(('classical', 0.9),)))
  model_dir = str(tmp_path / 'runs' / 'tiny')
  lines = []
  run = lambda genre, config=config: sequence.train_genre_gan(
      config, sequence.RunSettings(
      genre=genre, model_dir=model_dir, num_samples=3,
      sample_length=32, eval_batches=1, mle_steps=3, adv_steps=2,
      report_synth='none'), builder=folders_builder, log=lines.append)
  outcome = run('classical')
  assert outcome['adversarial_dir'] == os.path.join(model_dir,
                                                    'mle_classical')
  assert '| classical | generated | 3 |' in outcome['report']
  assert '| classical | control: no guidance | 3 |' in outcome['report']
  with open(os.path.join(outcome['adversarial_dir'], 'evaluation.json')) as f:
    meta = json.load(f)['meta']
  assert meta['guidance'] == 'rerank:2'
  assert meta['sampling']['genre_temperatures'] == [['classical', 0.9]]
  generator = generate_lib.load(model_dir, 'classical')
  assert generator.checkpoint.stage == 'mle_classical'
  step = int(generator.checkpoint.prefix.rsplit('-', 1)[-1])
  assert step == 3 + 2  # 3 MLE steps on all genres, 2 on classical
  # The stage's fitted n-gram cache is genre_gan_train's to write: an
  # unreadable one does not stop the run that fits it again.
  cache_file = run_layout.ngram_cache_file(outcome['adversarial_dir'])
  with open(cache_file, 'w') as f:
    f.write('not json')
  run('classical')  # resumes: no step more
  os.remove(cache_file)
  assert generate_lib.load(model_dir, 'classical').checkpoint.prefix == (
      generator.checkpoint.prefix)
  # A genre drawn unguided is reported beside the MLE model of all genres
  # (step 3), not beside itself.
  outcome = run('classical', dataclasses.replace(config, sampling=(
      dataclasses.replace(config.sampling,
                          genre_guidance=(('classical', 'none'),)))))
  assert '| classical | control: MLE on all genres | 3 |' in outcome['report']
  assert 'no guidance' not in outcome['report']
  # Drawn unguided after MLE on the genre, it needs no K+1 discriminator:
  # the report's frozen classifier is the genre classifier.
  assert outcome['classifier_path'] != run_layout.generated_classifier_dir(
      model_dir)
  with open(os.path.join(outcome['adversarial_dir'], 'evaluation.json')) as f:
    assert json.load(f)['meta']['guidance'] == 'none'

  assert transposed and set(transposed) == {('train_dataset', 3)}
  lines.clear()
  transposed.clear()
  outcome = run('folk')
  assert set(transposed) == {('train_dataset', 0),
                             ('adversarial_dataset', 0)}
  assert outcome['adversarial_dir'] == os.path.join(model_dir,
                                                    'adversarial_folk')
  assert '| folk | control: MLE on the genre | 3 |' in outcome['report']
  assert any('beside the MLE-on-genre model, guided alike' in line
             for line in lines)
  assert any('2 MLE steps on the genre alone, then 2 adversarial steps' in line
             for line in lines)
  generator = generate_lib.load(model_dir, 'folk')
  assert generator.checkpoint.stage == 'adversarial_folk'
  # The GAN stage started from mle_folk (5 steps), not the all-genre model
  # (3): its KL reference holds mle_folk's weights.
  trainer = adversarial.AdversarialTrainer(
      config, generator.vocabulary, os.path.join(model_dir, 'mle_folk'),
      os.path.join(model_dir, 'classifier_generated'), 'folk', 2,
      directory=os.path.join(model_dir, 'adversarial_folk'))
  assert trainer.pretrained.endswith('ckpt-5')
  start = generator_io.load_generator(os.path.join(model_dir, 'mle_folk'),
                                      generator.vocabulary.genres)[0]
  for a, b in zip(trainer.reference.get_weights(), start.get_weights()):
    np.testing.assert_array_equal(a, b)
