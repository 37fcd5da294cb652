"""genre_classifier_train and genre_gan_evaluate on the embedded dataset."""

import json
import os

import numpy as np
import pytest
import tensorflow_datasets as tfds

from genre_transformer_gan import configs
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan import datasets
from genre_transformer_gan.training import mle
from tests import console

# The slow tier: the commands in subprocesses, end to end.
pytestmark = pytest.mark.slow



@pytest.fixture(scope='module')
def classifier_dir(corpus_data_dir, tmp_path_factory):
  output = str(tmp_path_factory.mktemp('classifier'))
  result = console.run_script(
      'genre_classifier_train', '--config=tiny', '--steps=20',
      f'--data_dir={corpus_data_dir}',
      '--genres=classical,folk', f'--output={output}')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'test accuracy by crop length: 16:' in result.stdout
  return output


def test_classifier_train_writes_model_info_and_confusion(classifier_dir):
  names = set(os.listdir(classifier_dir))
  assert {'classifier.keras', 'classifier.json', 'confusion_matrix.txt',
          'confusion_matrix.png'} <= names
  with open(os.path.join(classifier_dir, 'classifier.json')) as f:
    info = json.load(f)
  assert info['genres'] == ['classical', 'folk']
  assert info['vocabulary_genres'] == ['classical', 'folk', 'early']
  assert set(info['test']) == {'16', '64'}
  assert 0 <= info['test']['64']['accuracy'] <= 1
  with open(os.path.join(classifier_dir, 'confusion_matrix.png'), 'rb') as f:
    assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def _write_samples(builder, directory):
  """Held-out folk pieces as MIDI and token files, plus an unreadable file."""
  os.makedirs(directory)
  folk = datasets.genre_ids(builder, ['folk'])[0]
  pieces = [ex['tokens'] for ex in tfds.as_numpy(builder.as_dataset(
      split='test')) if ex['genre'] == folk][:6]
  for i, tokens in enumerate(pieces[:4]):
    tokenizer.decode_tokens(tokens[:300], os.path.join(directory, f'{i}.mid'))
  np.save(os.path.join(directory, '4.npy'), pieces[4][:300])
  with open(os.path.join(directory, '5.txt'), 'w') as f:
    f.write(' '.join(str(t) for t in pieces[5][:300]))
  with open(os.path.join(directory, 'broken.mid'), 'wb') as f:
    f.write(b'MThd garbage')


def test_evaluate_writes_json_and_markdown(corpus_small_builder,
                                           corpus_data_dir,
                                           classifier_dir, tmp_path):
  samples = str(tmp_path / 'samples')
  _write_samples(corpus_small_builder, samples)
  config = configs.get_config('tiny')
  model_dir = str(tmp_path / 'generator')
  vocabulary = datasets.get_vocabulary(corpus_small_builder)
  trainer = mle.MleTrainer(config, vocabulary.size, model_dir)
  trainer.manager.save(checkpoint_number=0)
  with open(os.path.join(model_dir, 'run.json'), 'w') as f:
    json.dump({'config': 'tiny', 'genres': list(vocabulary.genres)}, f)
  evaluator_dir = str(tmp_path / 'evaluator')
  common = [f'--data_dir={corpus_data_dir}',
            f'--samples={samples}', f'--evaluator_dir={evaluator_dir}',
            '--evaluator_config=tiny']
  result = console.run_script(
      'genre_gan_evaluate', *common, '--genre=folk',
      f'--classifier_path={classifier_dir}', f'--checkpoint={model_dir}')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'Training the independent evaluator' in result.stdout
  assert 'skipped 1 (' in result.stdout
  with open(os.path.join(samples, 'evaluation.json')) as f:
    report = json.load(f)
  rows = {row['set']: row for row in report['rows']}
  assert list(rows) == ['generated', 'real (test)', 'uniform', 'unigram',
                        'shuffled', 'drone']
  generated = rows['generated']
  assert generated['count'] == 6 and rows['real (test)']['count'] == 20
  # The samples are real folk music: the evaluator must see it, and noise
  # must not pass.
  assert generated['fidelity'] >= 0.5
  assert rows['uniform']['fidelity'] == 0 and rows['drone']['fidelity'] <= 0.1
  assert rows['uniform']['c2st_accuracy'] >= 0.9
  for row in rows.values():
    for key in ('fidelity', 'reject_rate', 'c2st_accuracy',
                'frechet_distance', 'held_note_share', 'held_time_share'):
      assert row[key] is not None and len(row[key + '_interval']) == 2, key
  assert 0 <= generated['classifier_probability'] <= 1
  assert rows['drone']['held_time_share'] > generated['held_time_share']
  # An untrained generator: about log(V) nats per token.
  assert 5.0 < generated['generator_nll'] < 7.0
  assert 0 < generated['feature_distance']['mean']['overlap'] <= 1
  assert 0 < generated['diversity']['distinct_4'] <= 1
  # Held-out pieces quote the train split a little; noise never does.
  assert 0 <= generated['copied_share'] < 0.5
  assert rows['uniform']['copied_share'] == 0.0
  with open(os.path.join(samples, 'evaluation.md')) as f:
    table = f.read()
  assert '| folk | generated | 6 |' in table and '| folk | real (test) |' in (
      table)
  assert 'C2ST acc' in table and '| copied |' in table and (
      '| folk | uniform | 20 | 0.00 [0.00, 0.16] |' in table)

  # Reuses the saved evaluator; without a classifier its columns are empty.
  result = console.run_script('genre_gan_evaluate', *common, '--genre=folk',
                              f'--output_json={tmp_path}/r.json')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'Training the independent evaluator' not in result.stdout
  assert os.path.exists(tmp_path / 'r.md')

  # A classifier that does not know the genre: one line naming the fix.
  result = console.run_script('genre_gan_evaluate', *common, '--genre=early',
                              f'--classifier_path={classifier_dir}')
  assert result.returncode == 1
  assert 'does not know genre(s) early' in result.stderr
  assert 'Traceback' not in result.stderr
