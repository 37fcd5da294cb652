"""Bad command lines: one line naming the problem and the fix, no traceback."""

import pytest

from tests import console



@pytest.fixture(scope='module')
def paths(corpus_data_dir, tmp_path_factory):
  root = tmp_path_factory.mktemp('cli')
  (root / 'a_file').write_text('not a folder')
  (root / 'empty').mkdir()
  samples = root / 'samples'
  samples.mkdir()
  (samples / 'tokens.txt').write_text(' '.join(['60', '300', '188'] * 50))
  return {'data_dir': corpus_data_dir, 'root': str(root),
          'unwritable': str(root / 'a_file' / 'out'),
          'empty': str(root / 'empty'), 'samples': str(samples)}


_CASES = {
    'missing manual_dir': (
        'genre_gan_dataset', ['--dataset=lakh_genre/tagtraum_cd2c',
                              '--manual_dir={root}/nowhere',
                              '--data_dir={root}/tfds'],
        'does not exist or is empty'),
    'empty manual_dir': (
        'genre_gan_dataset', ['--dataset=lakh_genre/magd',
                              '--manual_dir={empty}', '--data_dir={root}/tfds'],
        'does not exist or is empty'),
    'unknown dataset': (
        'genre_gan_dataset', ['--dataset=lakh/rock'], 'Unknown dataset'),
    'unwritable export_dir': (
        'genre_gan_dataset', ['--data_dir={data_dir}',
                              '--export_dir={unwritable}'],
        'pass a writable --export_dir'),
    'unknown config': (
        'genre_gan_train', ['--config=huge', '--genre=folk'],
        'choose one of: tiny, small, base'),
    'unwritable model_dir': (
        'genre_gan_train', ['--config=tiny', '--genre=folk',
                            '--data_dir={data_dir}',
                            '--model_dir={unwritable}'],
        'pass a writable --model_dir'),
    'unwritable classifier output': (
        'genre_classifier_train', ['--config=tiny', '--data_dir={data_dir}',
                                   '--output={unwritable}'],
        'pass a writable --output'),
    'unknown genre to evaluate': (
        'genre_gan_evaluate', ['--data_dir={data_dir}', '--samples={samples}',
                               '--genre=jazz'],
        'choose one of: classical, folk, early'),
    'unwritable report': (
        'genre_gan_evaluate', ['--data_dir={data_dir}', '--samples={samples}',
                               '--genre=folk',
                               '--output_json={unwritable}/report.json'],
        'pass a writable --output_json'),
    'model_dir that is no run': (
        'genre_gan_generate', ['--model_dir={empty}', '--genre=folk',
                               '--output_dir={root}/generated'],
        'No generator checkpoint in'),
}


@pytest.mark.parametrize('case', sorted(_CASES))
def test_one_line_error_and_nonzero_exit(paths, case):
  command, flags, message = _CASES[case]
  result = console.run_script(command, *[f.format(**paths) for f in flags])
  assert result.returncode != 0
  errors = [line for line in result.stderr.splitlines()
            if line.startswith(f'{command}: error: ')]
  assert len(errors) == 1, result.stderr[-3000:]
  assert message in errors[0]
  assert 'Traceback' not in result.stderr


def test_verbose_shows_the_traceback(paths):
  result = console.run_script('genre_gan_train', '--config=huge',
                              '--genre=folk', '--verbose')
  assert result.returncode != 0
  assert 'Traceback' in result.stderr and 'Unknown config' in result.stderr
