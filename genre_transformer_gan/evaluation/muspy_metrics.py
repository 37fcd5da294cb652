"""Metrics under the names people know from MusPy, computed MusPy's way.

MusPy (Dong et al., 2020) defines them on a `muspy.Music`; here they read
a sequence's notes on the token grid (10 ms steps, data/vocabulary.py),
exactly as MusPy would on a Music of those notes at that resolution
(tests/test_muspy_metrics.py checks against `muspy` itself):

  pitch_class_entropy   bits of the note-count pitch-class histogram
  scale_consistency     the largest share of notes in one major or
                        (natural) minor scale: counts notes, unlike the
                        evaluator's duration-weighted major-scale feature
  polyphony             mean pitches on over steps with at least one on
  polyphony_rate        share of all steps with more than 2 pitches on
                        (MusPy's threshold, used as `>`)
  pitch_range           highest minus lowest pitch
  n_pitch_classes_used  distinct pitch classes

NaN where MusPy returns NaN (no notes); a set's value is the mean over its
sequences that have one.
"""

from typing import Dict, Sequence

import numpy as np

from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import vocabulary as vocab

NAMES = ('pitch_class_entropy', 'scale_consistency', 'polyphony',
         'polyphony_rate', 'pitch_range', 'n_pitch_classes_used')
_MAJOR = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], bool)
_MINOR = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0], bool)
POLYPHONY_RATE_THRESHOLD = 2


def _steps(notes: notes_lib.Notes):
  """(start, end) int steps of the notes on the token grid."""
  start = np.round(notes.start * vocab.STEPS_PER_SECOND).astype(np.int64)
  end = np.round(notes.end * vocab.STEPS_PER_SECOND).astype(np.int64)
  return start, end


def of_notes(notes: notes_lib.Notes) -> Dict[str, float]:
  """{name: value} of one sequence's notes (NaN / 0 as MusPy without notes)."""
  if len(notes) == 0:
    return {'pitch_class_entropy': float('nan'),
            'scale_consistency': float('nan'), 'polyphony': float('nan'),
            'polyphony_rate': float('nan'), 'pitch_range': 0.0,
            'n_pitch_classes_used': 0.0}
  pitch = notes.pitch.astype(np.int64)
  counts = np.bincount(pitch % 12, minlength=12).astype(np.float64)
  shares = counts[counts > 0] / counts.sum()
  in_scale = max(counts[np.roll(scale, root)].sum()
                 for scale in (_MAJOR, _MINOR) for root in range(12))
  start, end = _steps(notes)
  roll = np.zeros([int(end.max()), 128], bool)  # MusPy's binary piano roll
  for s, e, p in zip(start, end, pitch):
    roll[s:e, p] = True
  on = roll.sum(1)
  return {
      'pitch_class_entropy': float(-(shares * np.log2(shares)).sum()),
      'scale_consistency': float(in_scale / counts.sum()),
      'polyphony': (float(roll.sum() / np.count_nonzero(on))
                    if np.any(on) else float('nan')),
      'polyphony_rate': (float(np.count_nonzero(
          on > POLYPHONY_RATE_THRESHOLD) / len(roll)) if len(roll)
                         else float('nan')),
      'pitch_range': float(pitch.max() - pitch.min()),
      'n_pitch_classes_used': float(np.count_nonzero(counts)),
  }


def of_set(token_lists: Sequence) -> Dict[str, float]:
  """{name: mean over the sequences where it is defined} (None if none)."""
  values = [of_notes(notes_lib.notes_of_tokens(t)) for t in token_lists]
  result = {}
  for name in NAMES:
    column = np.array([v[name] for v in values], np.float64)
    column = column[np.isfinite(column)]
    result[name] = float(column.mean()) if len(column) else None
  return result
