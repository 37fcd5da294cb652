"""MultiWorkerMirroredStrategy, really run: two worker processes on localhost.

Each worker is tests/multi_worker_job.py with its own TF_CONFIG; the
baseline is the same job in one process with the same global batch.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import datasets
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier

# The slow tier: worker processes on localhost.
pytestmark = pytest.mark.slow

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_ports(count):
  sockets = [socket.socket() for _ in range(count)]
  for s in sockets:
    s.bind(('127.0.0.1', 0))
  ports = [s.getsockname()[1] for s in sockets]
  for s in sockets:
    s.close()
  return ports


def _job_command(data_dir, model_dir, steps, adv_steps=None,
                 classifier_dir=None):
  """MLE to `steps`, then (adv_steps) the adversarial stage to adv_steps."""
  command = [sys.executable, '-m', 'tests.multi_worker_job',
             f'--data_dir={data_dir}', f'--model_dir={model_dir}',
             f'--phase={"all" if adv_steps else "mle"}', f'--steps={steps}']
  if adv_steps:
    command += [f'--adv_steps={adv_steps}', f'--classifier_dir={classifier_dir}']
  return command


def _start(command, num_workers=None, ports=None):
  """Popen of one process (num_workers None) or of each worker."""
  env = dict(os.environ, PYTHONPATH=_REPO, TF_CPP_MIN_LOG_LEVEL='2')
  env.pop('TF_CONFIG', None)
  if num_workers is None:
    return subprocess.Popen(command, cwd=_REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
  ports = ports or _free_ports(num_workers)
  cluster = {'worker': [f'127.0.0.1:{port}' for port in ports]}
  workers = []
  for index in range(num_workers):
    env['TF_CONFIG'] = json.dumps(
        {'cluster': cluster, 'task': {'type': 'worker', 'index': index}})
    workers.append(subprocess.Popen(command, cwd=_REPO, env=dict(env),
                                    text=True, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE))
  return workers


def _finish(processes, timeout=600):
  outputs = [p.communicate(timeout=timeout) for p in processes]
  for p, (out, err) in zip(processes, outputs):
    assert p.returncode == 0, err[-3000:]
  return outputs


def _scalars(logdir, tag):
  """{step: value} of a scalar in the TensorBoard files under logdir."""
  values = {}
  for name in tf.io.gfile.listdir(logdir):
    if not name.startswith('events.out.tfevents'):
      continue
    for event in tf.compat.v1.train.summary_iterator(
        os.path.join(logdir, name)):
      for value in event.summary.value:
        if value.tag == tag:
          values[event.step] = float(tf.make_ndarray(value.tensor))
  return values


def _event_files(model_dir):
  return sorted(os.path.relpath(os.path.join(root, name), model_dir)
                for root, _, names in os.walk(model_dir) for name in names
                if name.startswith('events.out.tfevents'))


def _frozen_classifier(builder, directory):
  vocabulary = datasets.get_vocabulary(builder)
  genres = vocabulary.genres
  classifier = genre_classifier.GenreClassifier(
      vocabulary.size, genres, embedding_size=16, filters=16,
      dilations=(1, 2), vocabulary_genres=genres)
  classifier_io.save_classifier(classifier, directory, {})


def test_two_workers_take_the_steps_of_one_process(corpus_data_dir,
                                                   tmp_path):
  """MLE then the GAN stage: same losses (clipped steps), chief-only files.

  Each run is one process (or one per worker) for both stages: the
  two-worker GAN stage starts from its own MLE model, which agrees with
  the one process's to round-off (1e-5 below)."""
  single, multi = str(tmp_path / 'single'), str(tmp_path / 'multi')
  builder = datasets.get_builder('corpus_genre/small',
                                 data_dir=corpus_data_dir, build=False)
  classifier_dir = str(tmp_path / 'classifier')
  _frozen_classifier(builder, classifier_dir)
  _finish([_start(_job_command(corpus_data_dir, single, 4, 3,
                               classifier_dir))])
  _finish(_start(_job_command(corpus_data_dir, multi, 4, 3, classifier_dir),
                 2))
  one = _scalars(os.path.join(single, 'train'), 'loss')
  two = _scalars(os.path.join(multi, 'train'), 'loss')
  assert sorted(one) == [1, 2, 3, 4] and sorted(two) == [1, 2, 3, 4]
  np.testing.assert_allclose([two[s] for s in one], list(one.values()),
                             rtol=1e-5, atol=1e-5)
  assert len(set(one.values())) == 4  # The steps really trained.
  # Only the chief wrote: its checkpoints, one TensorBoard file, no scratch.
  assert sorted(os.listdir(os.path.join(multi, 'checkpoints'))) == [
      'checkpoint', 'ckpt-2.data-00000-of-00001', 'ckpt-2.index',
      'ckpt-4.data-00000-of-00001', 'ckpt-4.index']
  assert sorted(_event_files(multi)) == sorted(
      os.path.join(stage, name) for stage in ('train', 'adversarial_folk')
      for name in os.listdir(os.path.join(multi, stage))
      if name.startswith('events.out.tfevents'))
  assert len(_event_files(multi)) == 2  # One for each stage.
  # The sampled tokens and the MLE term agree to 1e-5. The judges' scores
  # of the soft samples carry float round-off (per-replica kernel shapes,
  # batch 2 vs 4: 7e-5 relative on the critic at step 1, before any update),
  # so step 1 gets 1e-3. Adam's first updates (lr * g / |g| per weight,
  # whatever |g|) lift it: by step 3 two-worker runs differ from the one
  # process (bitwise repeatable) by ~1e-4 on the critic's loss, and by
  # 1.1e-3 in one of five runs, so steps 2 and 3 get 1e-2 (the critic's
  # loss moved 0.19 and 0.07 between those steps; a worker on another batch
  # fails at step 1).
  for tag, first, later in (('hard_probability', 1e-5, 1e-5),
                            ('mle_nll', 1e-5, 1e-5),
                            ('generator_loss', 1e-3, 1e-2),
                            ('critic_loss', 1e-3, 1e-2),
                            ('classifier_probability', 1e-3, 1e-2)):
    one = _scalars(os.path.join(single, 'adversarial_folk'),
                   f'adversarial/{tag}')
    two = _scalars(os.path.join(multi, 'adversarial_folk'),
                   f'adversarial/{tag}')
    assert sorted(one) == [1, 2, 3] and sorted(two) == [1, 2, 3], tag
    np.testing.assert_allclose(two[1], one[1], rtol=first, atol=1e-6,
                               err_msg=tag)
    np.testing.assert_allclose([two[2], two[3]], [one[2], one[3]],
                               rtol=later, atol=1e-6, err_msg=tag)
  assert sorted(name for name in os.listdir(
      os.path.join(multi, 'adversarial_folk', 'checkpoints'))
                if name.endswith('.index')) == ['ckpt-2.index', 'ckpt-3.index']


@pytest.mark.slow
def test_a_lost_worker_stops_the_run_and_a_restart_resumes(corpus_data_dir,
                                                           tmp_path):
  model_dir = str(tmp_path / 'run')
  ports = _free_ports(2)
  command = _job_command(corpus_data_dir, model_dir, 400)
  workers = _start(command, 2, ports)
  index = os.path.join(model_dir, 'checkpoints', 'ckpt-4.index')
  deadline = time.time() + 300
  while not os.path.exists(index) and time.time() < deadline:
    time.sleep(0.5)
  assert os.path.exists(index)
  workers[1].send_signal(signal.SIGKILL)
  out, err = workers[0].communicate(timeout=300)
  workers[1].communicate()
  assert workers[0].returncode == 1, err[-2000:]
  assert 'multi_worker_job: error: a worker of the cluster stopped' in err
  assert 'Traceback' not in err
  saved = int(tf.train.latest_checkpoint(
      os.path.join(model_dir, 'checkpoints')).rsplit('-', 1)[1])
  assert 4 <= saved < 400
  # The same command on both workers resumes there and finishes.
  command[-1] = f'--steps={saved + 4}'
  outputs = _finish(_start(command, 2, _free_ports(2)))
  assert 'Resumed from' in outputs[0][1]
  assert f'at step {saved}.' in outputs[0][1]
  assert tf.train.latest_checkpoint(os.path.join(
      model_dir, 'checkpoints')).endswith(f'ckpt-{saved + 4}')
