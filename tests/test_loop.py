"""training/loop.py: the cadence, should_stop, the non-finite stop, progress."""

import pytest

from genre_transformer_gan.training import loop


class _Run:
  """A fake trainer: each step returns the next of `losses`."""

  def __init__(self, losses, start=0):
    self.losses = list(losses)
    self.step = start
    self.events = []

  def train_step(self):
    self.step += 1
    return {'loss': self.losses[self.step - 1]}

  def run(self, num_steps, cadence=loop.Cadence(2, 3, 4), **kwargs):
    return loop.run(
        self.train_step, lambda: self.step, num_steps, cadence,
        on_log=lambda step, total, metrics, progress: self.events.append(
            ('log', step, total)),
        on_eval=lambda step: self.events.append(('eval', step)),
        on_save=lambda step: self.events.append(('save', step)),
        on_nonfinite=lambda step, metrics: loop.nonfinite_error(
            'The loss', metrics['loss'], step, 'ckpt-4', 'a lower rate'),
        **kwargs)


def test_cadence_and_the_last_step_does_everything():
  run = _Run([1.0] * 10)
  step, metrics, _ = run.run(5)
  assert (step, metrics) == (5, {'loss': 1.0})
  assert run.events == [('log', 2, 5), ('eval', 3), ('log', 4, 5),
                        ('save', 4), ('log', 5, 5), ('eval', 5), ('save', 5)]


def test_resumed_run_continues_to_the_target_and_one_there_takes_no_step():
  run = _Run([1.0] * 10, start=3)
  assert run.run(4)[0] == 4 and run.step == 4
  run.events.clear()
  step, metrics, _ = run.run(4)
  assert (step, metrics, run.events, run.step) == (4, {}, [], 4)


def test_should_stop_makes_that_step_the_last():
  run = _Run([1.0] * 10)
  step, _, progress = run.run(9, should_stop=lambda step: step == 3)
  assert step == 3 and progress.total == 3
  assert run.events[-3:] == [('log', 3, 3), ('eval', 3), ('save', 3)]


def test_nonfinite_loss_stops_before_saving():
  run = _Run([1.0] * 4 + [float('nan')] * 6)
  with pytest.raises(FloatingPointError,
                     match=r'^The loss became nan at step 5; .*\(ckpt-4\): '
                     r're-run the same command'):
    run.run(8)
  assert ('save', 4) in run.events and ('save', 5) not in run.events
  assert ('log', 5, 8) not in run.events


def test_progress_rate_eta_and_windows():
  now = [100.0]
  progress = loop.Progress(10, 30, clock=lambda: now[0])
  now[0] = 105.0
  assert progress.steps_per_second(20) == pytest.approx(2.0)
  assert progress.eta(20) == pytest.approx(5.0)
  assert progress.window_seconds() == pytest.approx(5.0)
  now[0] = 106.0
  assert progress.window_seconds() == pytest.approx(1.0)
  assert progress.elapsed() == pytest.approx(6.0)
