"""Files that do not read: a run's records, a classifier, an evaluator, a
model card, a Lakh score file, a folder's list of checkpoints. Each reader
gives one line naming the file and the fix, never a traceback; a lost list
of checkpoints is found again from the checkpoints themselves."""

import pathlib

import numpy as np
import pytest

from genre_transformer_gan import atomic_files

# What a file cut short, garbled or hand-edited holds.
BAD_CONTENTS = {'empty': b'', 'cut short': b'{"config": "tiny", "gen',
                'not text': bytes(range(128, 256)), 'a list': b'[1, 2]',
                'no keys': b'{}'}
WHY = {'empty': 'empty', 'cut short': 'not JSON: ',
       'not text': 'not UTF-8 text', 'a list': 'a JSON list, not an object',
       'no keys': "no 'config', 'genres'"}


@pytest.mark.parametrize('kind', sorted(BAD_CONTENTS))
def test_read_json_names_the_file_why_and_the_fix(tmp_path, kind):
  path = tmp_path / 'run.json'
  path.write_bytes(BAD_CONTENTS[kind])
  with pytest.raises(ValueError) as raised:
    atomic_files.read_json(path, 'run record', 'delete it',
                           keys=('config', 'genres'))
  message = str(raised.value)
  assert message.startswith(f'{path} is not a readable run record ('
                            f'{WHY[kind]}')
  assert message.endswith('); delete it.') and '\n' not in message


def test_read_json_reads_what_write_json_wrote(tmp_path):
  path = str(tmp_path / 'a.json')
  with pytest.raises(FileNotFoundError, match=f'{path} is missing; fix it.'):
    atomic_files.read_json(path, 'record', 'fix it')
  atomic_files.write_json(path, {'config': 'tiny', 'genres': ['folk']})
  assert atomic_files.read_json(path, 'record', 'fix', keys=('genres',)) == {
      'config': 'tiny', 'genres': ['folk']}


def _one_line(error, path, fix):
  message = str(error)
  assert message.startswith(f'{path} is not a readable '), message
  assert fix in message and '\n' not in message, message


@pytest.mark.parametrize('kind', ['cut short', 'a list', 'no keys'])
def test_a_runs_records_that_do_not_read(tmp_path, kind):
  from genre_transformer_gan import run_layout  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import example_lib  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.models import classifier_io  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.models import generator_io  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.models import ngram  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.models import pretrained  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import genre_stages  # pylint: disable=import-outside-toplevel
  content = BAD_CONTENTS[kind]
  model_dir = tmp_path / 'run'
  model_dir.mkdir()
  path = run_layout.run_file(str(model_dir))
  pathlib.Path(path).write_bytes(content)
  with pytest.raises(ValueError) as raised:
    generator_io.read_run(str(model_dir))
  _one_line(raised.value, path, 'run genre_gan_train with the run\'s flags')
  classifier = tmp_path / 'classifier'
  classifier.mkdir()
  (classifier / classifier_io.INFO_FILE).write_bytes(content)
  (classifier / classifier_io.MODEL_FILE).write_bytes(b'PK\x03\x04')
  if kind != 'no keys':  # A record without keys is a classifier of old.
    with pytest.raises(ValueError) as raised:
      classifier_io.load_classifier(str(classifier))
    _one_line(raised.value, classifier / classifier_io.INFO_FILE,
              classifier_io.REPLACE)
    (tmp_path / example_lib.SKIPPED_FILENAME).write_bytes(content)
    with pytest.raises(ValueError) as raised:
      example_lib.read_skip_summary(tmp_path)
    _one_line(raised.value, tmp_path / example_lib.SKIPPED_FILENAME,
              'delete it')
    weights, card = pretrained.paths('mine', str(tmp_path))
    np.savez(weights, x=np.zeros(1))
    pathlib.Path(card).write_bytes(content)
    with pytest.raises(ValueError) as raised:
      pretrained.read_card('mine', str(tmp_path))
    _one_line(raised.value, card, 'export the model into it again')
    (tmp_path / ngram.MODEL_FILE).write_bytes(content)
    with pytest.raises(ValueError) as raised:
      ngram.load(str(tmp_path))
    _one_line(raised.value, tmp_path / ngram.MODEL_FILE, 'fit and save')
  # A genre stage's record of where it branched: read before any work.
  branch = tmp_path / 'mle_folk'
  branch.mkdir()
  (branch / genre_stages.BRANCH_FILE).write_bytes(
      b'{"step": "3"}' if kind == 'no keys' else content)
  with pytest.raises(ValueError) as raised:
    genre_stages.branch_mle(None, 0, 'unused', str(branch))
  _one_line(raised.value, branch / genre_stages.BRANCH_FILE,
            f'delete the folder {branch}')


@pytest.mark.parametrize('content', [b'', b'PK\x03\x04 cut', b'<html>'])
def test_a_classifier_or_evaluator_file_that_does_not_read(tmp_path,
                                                            content):
  from genre_transformer_gan.evaluation import evaluator as evaluator_lib  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.models import classifier_io  # pylint: disable=import-outside-toplevel
  (tmp_path / classifier_io.MODEL_FILE).write_bytes(content)
  with pytest.raises(ValueError) as raised:
    classifier_io.load_classifier(str(tmp_path))
  _one_line(raised.value, tmp_path / classifier_io.MODEL_FILE,
            classifier_io.REPLACE)
  if not content:
    assert '(empty)' in str(raised.value)
  elif content == b'<html>':
    assert '(not a .keras zip archive)' in str(raised.value)
  (tmp_path / evaluator_lib.MODEL_FILE).write_bytes(content)
  with pytest.raises(ValueError) as raised:
    evaluator_lib.FeatureEvaluator.load(str(tmp_path))
  _one_line(raised.value, tmp_path / evaluator_lib.MODEL_FILE,
            'genre_gan_evaluate --train_evaluator')


def test_a_lakh_score_file_that_does_not_read(tmp_path):
  from genre_transformer_gan.data import lakh_lib  # pylint: disable=import-outside-toplevel
  (tmp_path / 'labels.cls').write_text('TRAAAAV128F421A322\tRock\n')
  scores = tmp_path / 'match_scores.json'
  scores.write_text('{"TRAAAAV128F421A322": {"a": 0.')  # cut short
  with pytest.raises(ValueError) as raised:
    lakh_lib.lakh_work_items(tmp_path, scores, tmp_path / 'labels.cls')
  _one_line(raised.value, scores, 'download match_scores.json again')


def _trained(directory, steps):
  from genre_transformer_gan import configs  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import mle  # pylint: disable=import-outside-toplevel
  from tests import tiny_models  # pylint: disable=import-outside-toplevel
  data = tiny_models.dataset_fn(tiny_models.sequences(num=8), 8)
  trainer = mle.MleTrainer(configs.get_config('tiny'),
                           tiny_models.VOCAB_SIZE, str(directory))
  trainer.train(data, steps)
  return trainer


@pytest.mark.eager
@pytest.mark.parametrize('kind', ['missing', 'empty', 'not text', 'a list'])
def test_a_lost_list_of_checkpoints_resumes_from_the_files(tmp_path, kind):
  from genre_transformer_gan.models import checkpoint_files  # pylint: disable=import-outside-toplevel
  _trained(tmp_path, 2)
  trainer = _trained(tmp_path, 4)
  newest, folder = trainer.manager.latest_checkpoint, trainer.manager.directory
  assert newest.endswith('ckpt-4')
  listing = tmp_path / folder / checkpoint_files.LIST_FILE
  if kind == 'missing':
    listing.unlink()
  else:
    listing.write_bytes(BAD_CONTENTS[kind])
  # Generating finds the newest checkpoint without writing anything.
  assert checkpoint_files.latest(folder) == newest
  assert listing.exists() == (kind != 'missing')
  # Training resumes from it instead of starting over, and says so.
  warnings = []
  from absl import logging  # pylint: disable=import-outside-toplevel
  original = logging.warning
  logging.warning = lambda message, *args: warnings.append(message % args)
  try:
    resumed = _trained(tmp_path, 6)
  finally:
    logging.warning = original
  assert any('wrote it anew from the 2 checkpoint(s) there (newest '
             f'{newest})' in w for w in warnings), warnings
  assert resumed.restored_from == newest and resumed.step == 6
  assert checkpoint_files.latest(folder).endswith('ckpt-6')
  assert checkpoint_files.latest(str(tmp_path / 'none')) is None
