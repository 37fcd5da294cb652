"""genre_gan_train --phase=mle on the embedded dataset: trains, resumes, refuses."""

import functools
import os

from tests import console

_run = functools.partial(console.run_script, 'genre_gan_train')


def test_mle_trains_resumes_and_refuses_mismatches(corpus_small_builder,
                                                   tmp_path):
  data_dir = os.path.dirname(os.path.dirname(os.path.dirname(
      corpus_small_builder.data_dir)))
  model_dir = str(tmp_path / 'run')
  common = ['--phase=mle', '--config=tiny', f'--data_dir={data_dir}',
            f'--model_dir={model_dir}', '--mle_genres=classical',
            '--eval_batches=3']
  result = _run(*common, '--mle_steps=12')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'step 12: train loss' in result.stdout
  assert 'unigram entropy' in result.stdout
  assert os.path.exists(os.path.join(model_dir, 'checkpoints', 'ckpt-12.index'))

  result = _run(*common, '--mle_steps=15')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'at step 12' in result.stderr and 'step 15: train loss' in (
      result.stdout)

  result = _run(*common, '--mle_steps=15')  # Already there: evaluates only.
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'step 15: train loss' in result.stdout and 'NLL' in result.stdout

  result = _run(*[f for f in common if not f.startswith('--config')],
                '--config=small', '--mle_steps=1')
  assert result.returncode == 1
  assert "genre_gan_train: error: " in result.stderr
  assert "--config=tiny" in result.stderr and 'Traceback' not in result.stderr

  result = _run(*[f for f in common if not f.startswith('--mle_genres')],
                '--mle_genres=jazz', '--mle_steps=1')
  assert result.returncode == 1
  assert 'choose from: classical, folk, early' in result.stderr
  assert 'Traceback' not in result.stderr
