"""The Colab notebooks: stored clean, and executed top to bottom on a CPU.

Each notebook has one cell tagged `parameters` (papermill's convention);
the tests run it with a cell inserted after that one which sets the tiny
config, few steps and temporary folders.
"""

import json
import os
import shutil
import zipfile

import nbformat
import pytest

from tests import console

COLAB = os.path.join(console.REPO, 'colab')
NOTEBOOKS = ('quickstart.ipynb', 'train_tpu.ipynb')


def _read(name):
  return nbformat.read(os.path.join(COLAB, name), as_version=4)



@pytest.mark.parametrize('name', NOTEBOOKS)
def test_notebook_is_stored_clean_and_uses_forms(name):
  notebook = _read(name)
  nbformat.validate(notebook)
  code = [c for c in notebook.cells if c.cell_type == 'code']
  assert all(not c.outputs and c.execution_count is None for c in code)
  assert all(c.source.startswith('#@title') for c in code)
  parameters = [c for c in code if 'parameters' in c.metadata.get('tags', [])]
  assert len(parameters) == 1 and '#@param' in parameters[0].source
  # Cells use the package: no model or layer code pasted into them.
  for cell in code:
    for banned in ('class ', 'keras.layers', 'tf.keras', 'GradientTape'):
      assert banned not in cell.source, (name, banned)
  assert 'genre_transformer_gan' in ''.join(c.source for c in code)
  with open(os.path.join(console.REPO, 'README.md')) as f:
    assert f'colab/{name})' in f.read()  # An "Open in Colab" badge.


def test_notebooks_train_through_the_command_lines_sequence():
  """Both notebooks train by sequence.train_genre_gan, as genre_gan_train
  does, never by calling its stages: their defaults cannot drift."""
  stages = ('run_mle(', 'run_adversarial(', 'get_classifier_path(',
            'final_report(', 'check_model_dir(')
  for name in NOTEBOOKS:
    source = ''.join(c.source for c in _read(name).cells
                     if c.cell_type == 'code')
    assert 'sequence.train_genre_gan(' in source, name
    assert not [s for s in stages if s in source], name
  script = open(os.path.join(console.REPO, 'genre_transformer_gan',
                             'scripts', 'genre_gan_train.py')).read()
  assert 'sequence.train_genre_gan(' in script
  assert not [s for s in stages if s in script]
  # The same start: the command's --init_from default, the library's and
  # the notebooks' INIT_FROM.
  from genre_transformer_gan.training import sequence  # pylint: disable=import-outside-toplevel
  assert "flags.DEFINE_enum('init_from', 'auto'" in script
  assert sequence.RunSettings().init_from == 'auto'
  for name in NOTEBOOKS:
    parameters = next(c.source for c in _read(name).cells
                      if 'parameters' in c.metadata.get('tags', []))
    assert "INIT_FROM = 'auto'" in parameters, name


def _execute(name, overrides, tmp_path, monkeypatch):
  """Runs the notebook with `overrides` after its parameters cell."""
  import nbclient  # pylint: disable=import-outside-toplevel
  notebook = _read(name)
  position = next(i for i, c in enumerate(notebook.cells)
                  if 'parameters' in c.metadata.get('tags', []))
  notebook.cells.insert(position + 1, nbformat.v4.new_code_cell(
      '# Injected by the test.\n' + '\n'.join(
          f'{key} = {value!r}' for key, value in overrides.items())))
  # The kernel imports this checkout, not an older installed copy.
  monkeypatch.setenv('PYTHONPATH', console.REPO)
  monkeypatch.setenv('TF_CPP_MIN_LOG_LEVEL', '2')
  client = nbclient.NotebookClient(
      notebook, timeout=900, kernel_name='python3',
      resources={'metadata': {'path': str(tmp_path)}})
  client.execute()
  return notebook


def _outputs(notebook, mime):
  return [o for c in notebook.cells if c.cell_type == 'code'
          for o in c.outputs if mime in o.get('data', {})]


@pytest.mark.slow
def test_quickstart_runs_on_cpu(corpus_data_dir, tmp_path, monkeypatch):
  notebook = _execute('quickstart.ipynb', {
      'CONFIG': 'tiny', 'TRAIN_STEPS': 20, 'NUM_SAMPLES': 1, 'LENGTH': 160,
      'PRIMER_TOKENS': 64, 'DATA_DIR': corpus_data_dir,
      'UPLOAD_PRIMER': True,  # Not in Colab: a hint, then the default.
      'WORK_DIR': str(tmp_path / 'work')}, tmp_path, monkeypatch)
  audio = [o for o in _outputs(notebook, 'text/html')
           if '<audio' in o['data']['text/html']]
  images = _outputs(notebook, 'image/png')
  # One sample, then primer + one continuation: three players, three rolls.
  assert len(audio) == 3 and len(images) == 3
  assert os.path.exists(tmp_path / 'work' / 'transfer' / 'classical' /
                        'primer' / 'primer.mid')
  text = ''.join(o.get('text', '') for c in notebook.cells
                 if c.cell_type == 'code' for o in c.outputs)
  assert 'validation NLL' in text and 'evaluator' in text
  assert 'Not in Colab: set PRIMER_MIDI' in text
  with zipfile.ZipFile(tmp_path / 'work' / 'results.zip') as z:
    names = z.namelist()
  assert 'results/transfer/classical/primer/primer.mid' in names
  assert 'results/samples/classical/index.html' in names


@pytest.mark.slow
def test_train_tpu_runs_on_cpu(corpus_data_dir, tiny_run, tmp_path,
                               monkeypatch):
  # The frozen classifier and the evaluator of `tiny` on this dataset, as
  # genre_gan_train left them in its runs folder: the notebook finds them
  # there, as the command does, rather than training them again.
  for judge in ('classifier', 'evaluator'):
    shutil.copytree(tiny_run[0] / judge, tmp_path / 'runs' / judge)
  model_dir = str(tmp_path / 'runs' / 'colab')
  notebook = _execute('train_tpu.ipynb', {
      'CONFIG': 'tiny', 'GENERATOR': 'wavenet', 'DATA_DIR': corpus_data_dir,
      'MODEL_DIR': model_dir, 'GENRE': 'folk', 'MLE_STEPS': 10,
      'ADV_STEPS': 4, 'NUM_SAMPLES': 2, 'SAMPLE_LENGTH': 64,
      'TENSORBOARD': False}, tmp_path, monkeypatch)
  text = ''.join(o.get('text', '') for c in notebook.cells
                 if c.cell_type == 'code' for o in c.outputs)
  assert 'CPU: ' in text and 'replica(s)' in text
  assert 'Training the genre classifier' not in text
  assert 'Training the independent evaluator' not in text
  assert 'MLE step 10' in text and 'Adversarial step 4' in text
  reports = [o['data']['text/markdown']
             for o in _outputs(notebook, 'text/markdown')]
  assert any('| folk | generated |' in r and '| folk | control: MLE only |'
             in r for r in reports)  # The report, with its control row.
  assert len(_outputs(notebook, 'image/png')) == 2
  assert os.path.exists(os.path.join(model_dir, 'adversarial_folk',
                                     'evaluation.md'))
  with open(os.path.join(model_dir, 'samples', 'folk', 'index.json')) as f:
    assert json.load(f)['model']['generator'] == 'wavenet'
