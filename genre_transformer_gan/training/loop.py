"""The loop every trainer runs: cadence, progress, stopping, non-finite guard.

A trainer (mle.MleTrainer, adversarial.AdversarialTrainer) builds its own
compiled step and hands `run` four things: `train_step()` (one step, its
metrics as Python floats), `get_step()` (the global step after it), and what
to do when a log line, an evaluation or a checkpoint is due. `run` owns the
rest, once for every trainer:

  * the cadence: log every `log_every`, evaluate every `eval_every`, save
    every `checkpoint_every` steps, and all three at the last step;
  * `should_stop(step)`: True makes this step the last (logged, evaluated,
    saved), e.g. at a time budget;
  * a non-finite metric stops the run with a FloatingPointError before any
    save, so the last good checkpoint is the one kept;
  * progress: `Progress` gives steps/s and the ETA from this run's own
    timed steps (the Keras classifier's callback uses it too).
"""

import dataclasses
import math
import time
from typing import Callable, Dict, Optional, Tuple


@dataclasses.dataclass(frozen=True)
class Cadence:
  """How often (in steps) a trainer logs, evaluates and saves."""
  log_every: int
  eval_every: int
  checkpoint_every: int


class Progress:
  """Rate and ETA of a run that started at `start_step` and ends at `total`.

  `window_seconds()` is the time since its previous call (or the start), for
  rates over the last log window such as tokens/s.
  """

  def __init__(self, start_step: int, total: int,
               clock: Callable[[], float] = time.time):
    self.start_step = start_step
    self.total = total
    self._clock = clock
    self.start_time = self._window_start = clock()

  def steps_per_second(self, step: int) -> float:
    return (step - self.start_step) / max(self._clock() - self.start_time,
                                          1e-9)

  def eta(self, step: int) -> float:
    """Seconds left to `total` at this run's rate so far."""
    return (self.total - step) / max(self.steps_per_second(step), 1e-9)

  def window_seconds(self) -> float:
    now = self._clock()
    seconds, self._window_start = now - self._window_start, now
    return max(seconds, 1e-9)

  def elapsed(self) -> float:
    return self._clock() - self.start_time


def nonfinite_error(what: str, value, step: int, checkpoint: Optional[str],
                    remedy: str) -> FloatingPointError:
  """The one-line error of a run stopped by a non-finite loss."""
  return FloatingPointError(
      f'{what} became {value} at step {step}; nothing was saved after the '
      f'last good checkpoint ({checkpoint}): re-run the same command to '
      f'resume from it (with {remedy} if it happens again).')


def run(train_step: Callable[[], Dict[str, float]],
        get_step: Callable[[], int], target_step: int, cadence: Cadence,
        *,
        on_log: Callable[[int, int, Dict[str, float], Progress], None],
        on_save: Callable[[int], None],
        on_eval: Optional[Callable[[int], None]] = None,
        on_nonfinite: Callable[[int, Dict[str, float]], Exception],
        should_stop: Optional[Callable[[int], bool]] = None
        ) -> Tuple[int, Dict[str, float], Progress]:
  """Steps until get_step() reaches target_step (or should_stop says so).

  Args:
    train_step: runs one step; returns {metric name: float}.
    get_step: the global step (after a train_step: the one just taken).
    target_step: the global step to reach; a resumed run continues to it, one
      already there takes no step.
    cadence: when to log, evaluate and save.
    on_log: fn(step, target_step, metrics, progress).
    on_save: fn(step), writes a checkpoint.
    on_eval: optional fn(step).
    on_nonfinite: fn(step, metrics) -> the exception to raise.
    should_stop: optional fn(step) -> bool.

  Returns:
    (last step, last step's metrics ({} if no step ran), progress).
  """
  step = get_step()
  progress = Progress(step, target_step)
  metrics = {}
  while step < target_step:
    metrics = train_step()
    step = get_step()
    if not all(math.isfinite(v) for v in metrics.values()):
      raise on_nonfinite(step, metrics)
    if should_stop is not None and should_stop(step):
      target_step = progress.total = step
    last = step == target_step
    if step % cadence.log_every == 0 or last:
      on_log(step, target_step, metrics, progress)
    if on_eval is not None and (step % cadence.eval_every == 0 or last):
      on_eval(step)
    if step % cadence.checkpoint_every == 0 or last:
      on_save(step)
  return step, metrics, progress
