"""Musical features of a token sequence, for the independent evaluator.

Tokens are decoded to notes with note_seq (tokenizer.tokens_to_note_sequence)
and described by groups of features in the spirit of Yang & Lerch's mgeval
and jSymbolic: pitch content, rhythm, texture, dynamics and tonality. None of
them looks at token identities, so the evaluator sees the music through other
inputs than the token-level classifier and generator.

`FEATURE_GROUPS` lists (name, size); `feature_vector` concatenates them in
that order into float32 [NUM_FEATURES].
"""

from typing import Dict, Sequence

import numpy as np

from genre_transformer_gan.data import tokenizer

# Seconds; the last bin is open.
IOI_BINS = (0.0, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, np.inf)
LENGTH_BINS = (0.0, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, np.inf)
# Semitones between consecutive notes: 0, 1, ..., 7, 8-12, > 12.
INTERVAL_BINS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 13, np.inf)

# Krumhansl-Kessler key profiles (C major, C minor).
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19,
                           2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75,
                           3.98, 2.69, 3.34, 3.17])
_MAJOR_SCALE = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], bool)

FEATURE_GROUPS = (
    ('pitch_class_histogram', 12),
    ('pitch_statistics', 5),      # mean, std, min, max, range (MIDI pitch)
    ('used_pitches', 2),          # distinct pitches, distinct pitch classes
    ('note_density', 1),          # onsets per second
    ('ioi_histogram', len(IOI_BINS) - 1),
    ('note_length_histogram', len(LENGTH_BINS) - 1),
    ('interval_histogram', len(INTERVAL_BINS) - 1),
    ('mean_interval', 1),         # mean |semitones| between consecutive notes
    ('polyphony', 3),             # mean, max sounding notes; share > 1
    ('silence', 1),               # share of time with no note sounding
    ('velocity', 3),              # mean, std (/127); distinct velocities
    ('key_correlation', 1),       # best Krumhansl-Kessler key correlation
    ('scale_consistency', 1),     # share of notes in the best major scale
    ('pitch_class_entropy', 1),   # bits
)
NUM_FEATURES = sum(size for _, size in FEATURE_GROUPS)


def feature_names() -> list:
  """Flat names, e.g. 'pitch_class_histogram_3', 'note_density'."""
  names = []
  for name, size in FEATURE_GROUPS:
    names.extend([name] if size == 1 else [f'{name}_{i}' for i in range(size)])
  return names


def group_slices() -> Dict[str, slice]:
  """{group name: its slice of the feature vector}."""
  slices, start = {}, 0
  for name, size in FEATURE_GROUPS:
    slices[name] = slice(start, start + size)
    start += size
  return slices


def notes_of_tokens(tokens):
  """(pitch, start, end, velocity) arrays of the notes the tokens play."""
  ns = tokenizer.tokens_to_note_sequence(tokens)
  notes = sorted(ns.notes, key=lambda n: (n.start_time, n.pitch))
  return (np.array([n.pitch for n in notes], np.int64),
          np.array([n.start_time for n in notes], np.float64),
          np.array([n.end_time for n in notes], np.float64),
          np.array([n.velocity for n in notes], np.float64))


def _histogram(values, bins):
  counts, _ = np.histogram(values, bins=np.asarray(bins, np.float64))
  return counts / max(counts.sum(), 1)


def _sounding(start, end):
  """(segment durations, notes sounding in each) between note boundaries."""
  times = np.concatenate([start, end])
  deltas = np.concatenate([np.ones_like(start), -np.ones_like(end)])
  order = np.lexsort((deltas, times))  # ends before starts at equal times
  counts = np.cumsum(deltas[order])[:-1]
  durations = np.diff(times[order])
  return durations, counts


def _tonality(pitch_class_weights):
  """(best key-profile correlation, share in the best major scale)."""
  if pitch_class_weights.sum() <= 0 or np.ptp(pitch_class_weights) == 0:
    return 0.0, 0.0
  best = -1.0
  for profile in (_MAJOR_PROFILE, _MINOR_PROFILE):
    for shift in range(12):
      best = max(best, np.corrcoef(pitch_class_weights,
                                   np.roll(profile, shift))[0, 1])
  in_scale = max(pitch_class_weights[np.roll(_MAJOR_SCALE, s)].sum()
                 for s in range(12)) / pitch_class_weights.sum()
  return float(best), float(in_scale)


def features_of_notes(pitch, start, end, velocity) -> Dict[str, np.ndarray]:
  """Feature groups (FEATURE_GROUPS) of a set of notes; zeros if none."""
  values = {name: np.zeros(size) for name, size in FEATURE_GROUPS}
  if len(pitch) == 0:
    return values
  duration = end - start
  pitch_classes = np.bincount(pitch % 12, minlength=12).astype(np.float64)
  values['pitch_class_histogram'] = pitch_classes / pitch_classes.sum()
  values['pitch_statistics'] = np.array(
      [pitch.mean(), pitch.std(), pitch.min(), pitch.max(), np.ptp(pitch)])
  values['used_pitches'] = np.array(
      [len(np.unique(pitch)), np.count_nonzero(pitch_classes)])
  onsets = np.unique(start)
  span = max(end.max() - start.min(), 1e-3)
  values['note_density'] = np.array([len(onsets) / span])
  values['ioi_histogram'] = _histogram(np.diff(onsets), IOI_BINS)
  values['note_length_histogram'] = _histogram(duration, LENGTH_BINS)
  intervals = np.abs(np.diff(pitch))
  values['interval_histogram'] = _histogram(intervals, INTERVAL_BINS)
  values['mean_interval'] = np.array([intervals.mean() if len(intervals)
                                      else 0.0])
  durations, counts = _sounding(start, end)
  total = max(durations.sum(), 1e-9)
  sounding = durations[counts > 0].sum()
  values['polyphony'] = np.array([
      (durations * counts)[counts > 0].sum() / max(sounding, 1e-9),
      counts.max(initial=0), durations[counts > 1].sum() / total])
  values['silence'] = np.array([durations[counts == 0].sum() / total])
  values['velocity'] = np.array([velocity.mean() / 127, velocity.std() / 127,
                                 len(np.unique(velocity))])
  weighted = np.bincount(pitch % 12, weights=duration, minlength=12)
  correlation, in_scale = _tonality(weighted)
  values['key_correlation'] = np.array([correlation])
  values['scale_consistency'] = np.array([in_scale])
  shares = pitch_classes[pitch_classes > 0] / pitch_classes.sum()
  values['pitch_class_entropy'] = np.array([-(shares * np.log2(shares)).sum()])
  return values


def feature_vector(tokens) -> np.ndarray:
  """float32 [NUM_FEATURES] features of int [L] event tokens."""
  groups = features_of_notes(*notes_of_tokens(tokens))
  return np.concatenate([groups[name] for name, _ in FEATURE_GROUPS]).astype(
      np.float32)


def feature_matrix(token_lists: Sequence) -> np.ndarray:
  """float32 [N, NUM_FEATURES] for N token sequences."""
  if not len(token_lists):
    return np.zeros([0, NUM_FEATURES], np.float32)
  return np.stack([feature_vector(t) for t in token_lists])
