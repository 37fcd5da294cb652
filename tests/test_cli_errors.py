"""Bad command lines: one line naming the problem and the fix, no traceback.

The library raises a user error for each kind of bad flag (checked
in-process below); `script_utils.run_main` turns any user error into one
line on stderr and exit code 1 (checked in-process); and one subprocess per
console script checks the whole path as a user meets it.
"""

import ast
import dataclasses
import os
import subprocess
import sys

import pytest

from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan import file_checks
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.scripts import script_utils
from genre_transformer_gan.training import sequence
from tests import console


@pytest.fixture(scope='module')
def paths(tmp_path_factory):
  root = tmp_path_factory.mktemp('cli')
  (root / 'a_file').write_text('not a folder')
  (root / 'empty').mkdir()
  return {'root': str(root), 'unwritable': str(root / 'a_file' / 'out'),
          'empty': str(root / 'empty')}


def test_missing_or_empty_manual_dir(paths):
  for name, manual_dir in [('lakh_genre/tagtraum_cd2c', f'{paths["root"]}/x'),
                           ('lakh_genre/magd', paths['empty'])]:
    with pytest.raises(datasets.DatasetError,
                       match='does not exist or is empty'):
      datasets.get_builder(name, data_dir=f'{paths["root"]}/tfds',
                           manual_dir=manual_dir)


def test_unknown_dataset_config_and_genre(folders_builder):
  with pytest.raises(ValueError, match='Unknown dataset'):
    datasets.get_builder('lakh/rock')
  a_file = os.path.join(os.path.dirname(folders_builder.data_dir_root),
                        'a_file')
  open(a_file, 'w').close()
  with pytest.raises(datasets.DatasetError, match=f'--data_dir={a_file} is a '
                     'file, not a folder; pass a folder'):
    datasets.get_builder('corpus_genre/small', data_dir=a_file)
  with pytest.raises(ValueError, match='choose one of: tiny, small, base'):
    configs.get_config('huge')
  with pytest.raises(ValueError, match='choose one of: classical, early, folk'):
    datasets.genre_ids(folders_builder, ['jazz'])


@pytest.mark.parametrize('flag', ['--export_dir', '--output', '--model_dir',
                                  '--output_json'])
def test_unwritable_output_names_its_flag(paths, flag):
  with pytest.raises(PermissionError, match=f'pass a writable {flag}'):
    file_checks.ensure_writable_dir(paths['unwritable'], flag)


def test_train_checks_flags_before_any_work(folders_builder, paths):
  config = configs.get_config('tiny')
  model_dir = f'{paths["root"]}/run'
  for settings, message in [
      (sequence.RunSettings(), '--genre=G names the one target genre'),
      (sequence.RunSettings(genre='jazz'), 'choose one of: classical'),
      (sequence.RunSettings(genre='folk', adv_steps=0),
       '--adv_steps must be at least 1'),
      (sequence.RunSettings(genre='folk', mle_steps=-1),
       '--mle_steps must be at least 0'),
      (sequence.RunSettings(genre='folk', mle_genres=['jazz']),
       'choose one of: classical'),
      (sequence.RunSettings(genre='folk', classifier_path=paths['empty']),
       'No genre classifier at'),
      (sequence.RunSettings(genre='folk', model_dir=paths['unwritable']),
       'pass a writable --model_dir')]:
    settings = dataclasses.replace(settings, model_dir=settings.model_dir or
                                   model_dir)
    with pytest.raises((ValueError, FileNotFoundError, PermissionError),
                       match=message):
      sequence.train_genre_gan(config, settings, builder=folders_builder)
  assert not os.path.exists(f'{model_dir}/checkpoints')


def test_model_dir_that_is_no_run(paths):
  with pytest.raises(FileNotFoundError, match='No generator checkpoint in'):
    generate_lib.load(paths['empty'], 'folk')


def test_run_main_prints_one_line_and_exits_1(capsys):
  def run():
    raise ValueError('Unknown --thing=x; choose one of: a, b.')
  assert script_utils.run_main('some_command', run, []) == 1
  assert capsys.readouterr().err == (
      'some_command: error: Unknown --thing=x; choose one of: a, b.\n')

  def broken():
    raise KeyError('a bug, not a user error')
  with pytest.raises(KeyError):  # Bugs keep their traceback.
    script_utils.run_main('some_command', broken, [])


# One subprocess per console script: the one-line error as a user sees it.
_SMOKE = {
    'genre_gan_dataset': (['--dataset=lakh/rock'], 'Unknown dataset'),
    'genre_gan_train': (['--config=huge', '--genre=folk'],
                        'choose one of: tiny, small, base'),
    'genre_classifier_train': (['--export_only'],
                               'pass --export_pretrained=DIR and --output'),
    'genre_gan_evaluate': (['--dataset=lakh/rock', '--samples={empty}',
                            '--genre=folk'], 'Unknown dataset'),
    'genre_gan_generate': (['--model_dir={empty}', '--genre=folk',
                            '--output_dir={root}/generated'],
                           'No generator checkpoint in'),
}


@pytest.mark.parametrize('command', sorted(_SMOKE))
def test_console_script_one_line_error_and_nonzero_exit(paths, command):
  flags, message = _SMOKE[command]
  result = console.run_script(command, *[f.format(**paths) for f in flags])
  assert result.returncode != 0
  errors = [line for line in result.stderr.splitlines()
            if line.startswith(f'{command}: error: ')]
  assert len(errors) == 1, result.stderr[-3000:]
  assert message in errors[0]
  assert 'Traceback' not in result.stderr


def test_verbose_shows_the_traceback():
  result = console.run_script('genre_gan_train', '--config=huge',
                              '--genre=folk', '--verbose')
  assert result.returncode != 0
  assert 'Traceback' in result.stderr and 'Unknown config' in result.stderr


# A flag each command's --help must explain, beside its docstring.
_HELP = {'genre_classifier_train': '--genres', 'genre_gan_dataset':
         '--export_dir', 'genre_gan_evaluate': '--samples',
         'genre_gan_generate': '--guidance', 'genre_gan_train': '--init_from'}


@pytest.mark.parametrize('command', sorted(_HELP))
def test_help_shows_the_docstring_and_every_flag(command):
  """As under setuptools' entry-point wrapper, whose `__main__` is not the
  command's module; without loading TensorFlow (choices.py), so at once."""
  wrapper = (f'import sys; sys.argv[0] = {command!r}; from '
             f'genre_transformer_gan.scripts.{command} import '
             'console_entry_point\ntry: console_entry_point()\nfinally: '
             "print('tensorflow loaded:', 'tensorflow' in sys.modules)")
  result = subprocess.run([sys.executable, '-c', wrapper, '--help'],
                          capture_output=True, text=True, timeout=300,
                          cwd=console.REPO, env=console.env())
  assert 'flags:' in result.stdout, result.stderr[-3000:]  # (absl exits 1)
  assert 'tensorflow loaded: False' in result.stdout
  with open(os.path.join(console.REPO, 'genre_transformer_gan', 'scripts',
                         f'{command}.py')) as f:  # Its flags would clash
    docstring = ast.get_docstring(ast.parse(f.read()))  # with the others'.
  assert docstring.splitlines()[0] in result.stdout
  assert f'  {command} --' in result.stdout  # An example command line.
  assert f'{_HELP[command]}:' in result.stdout and '--[no]verbose:' in (
      result.stdout)
