"""Musical features of a token sequence, for the independent evaluator.

Tokens are decoded to notes (data/notes.py, equal to note_seq's decoding)
and described by groups of features in the spirit of Yang & Lerch's mgeval
and jSymbolic: pitch content, rhythm, texture and tonality as marginal
statistics, then sequence-level features that a model without context cannot
match by counting: held and never-closed notes, polyphony over the piece,
onset-grid regularity, bar-scale repetition, contour and range over the
piece. None of them looks at token identities, so the evaluator sees the
music through other inputs than the token-level classifier and generator.

`FEATURE_GROUPS` lists (name, size); `feature_vector` concatenates them in
that order into float32 [NUM_FEATURES].
"""

from typing import Dict, Sequence

import numpy as np

from genre_transformer_gan.data import notes as notes_lib

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
# The 24 keys' profiles ([24, 12], major keys then minor, each centred and
# scaled to unit norm) and the 12 major scales ([12, 12] 0/1): _tonality
# correlates a piece with every key in one product.
_KEY_PROFILES = np.stack([np.roll(profile, shift)
                          for profile in (_MAJOR_PROFILE, _MINOR_PROFILE)
                          for shift in range(12)])
_KEY_PROFILES = _KEY_PROFILES - _KEY_PROFILES.mean(1, keepdims=True)
_KEY_PROFILES /= np.linalg.norm(_KEY_PROFILES, axis=1, keepdims=True)
_MAJOR_SCALES = np.stack([np.roll(_MAJOR_SCALE, shift)
                          for shift in range(12)]).astype(np.float64)

# Seconds: a note longer than this is "held" (the drone failure); real
# music of the embedded corpus has ~0 % of them outside early music.
HELD_SECONDS = 4.0
# Sequence-level features cut a piece into this many equal spans of time.
NUM_SPANS = 4
# Bar-scale self-similarity: pitch-class profiles of windows this long.
WINDOW_SECONDS = 2.0
# Onsets within this distance of the modal-IOI grid count as on the grid.
GRID_TOLERANCE = 0.015

# Marginal statistics (order-free: a unigram model can match them), then
# sequence-level ones (how the notes are ordered and held over the piece).
# Velocity is left out: music21 renders most classical and early scores with
# one velocity, so it would tell the corpus source, not the genre.
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
    ('key_correlation', 1),       # best Krumhansl-Kessler key correlation
    ('duration_scale_consistency', 1),  # share of sounding time in the
                                  # best major scale (MusPy's
                                  # scale_consistency counts notes:
                                  # muspy_metrics.py)
    ('pitch_class_entropy', 1),   # bits
    # Sequence level.
    ('held_notes', 2),            # share longer than HELD_SECONDS; never closed
    ('polyphony_profile', NUM_SPANS + 1),  # mean sounding per span; trend
    ('onset_grid', 2),            # share of onsets on the modal-IOI grid;
                                  # IOI entropy (bits, 10 ms bins)
    ('repetition', 2),            # bar-scale pitch-class self-similarity;
                                  # share of top-line interval 4-grams repeated
    ('contour', 5),               # top line: share of steps up, down, same;
                                  # mean pitch range per span; std of span means
)
NUM_FEATURES = sum(size for _, size in FEATURE_GROUPS)
# Old name -> name, for features renamed without changing their values: an
# evaluator saved under the old name still loads.
RENAMED = {'scale_consistency': 'duration_scale_consistency'}
SEQUENCE_GROUPS = ('held_notes', 'polyphony_profile', 'onset_grid',
                   'repetition', 'contour')


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
  """(best key-profile correlation, share in the best major scale).

  The correlation is Pearson's (np.corrcoef's) with each of the 24
  Krumhansl-Kessler key profiles, as one [24, 12] product (the evaluator
  computes it for every crop; tests hold it to np.corrcoef per key).
  """
  total = pitch_class_weights.sum()
  if total <= 0 or np.ptp(pitch_class_weights) == 0:
    return 0.0, 0.0
  centred = pitch_class_weights - pitch_class_weights.mean()
  best = np.max(_KEY_PROFILES @ centred) / np.linalg.norm(centred)
  in_scale = np.max(_MAJOR_SCALES @ pitch_class_weights) / total
  return float(min(best, 1.0)), float(in_scale)


def _spans(start, total):
  """int [N] span index (0..NUM_SPANS-1) of each note's onset."""
  return np.minimum((start / max(total, 1e-9) * NUM_SPANS).astype(np.int64),
                    NUM_SPANS - 1)


def _polyphony_profile(start, end, total):
  """Mean sounding notes in each of NUM_SPANS spans, and the trend."""
  edges = np.linspace(0.0, total, NUM_SPANS + 1)
  profile = np.zeros(NUM_SPANS)
  for i in range(NUM_SPANS):
    overlap = np.clip(np.minimum(end, edges[i + 1]) - np.maximum(
        start, edges[i]), 0.0, None)
    profile[i] = overlap.sum() / max(edges[i + 1] - edges[i], 1e-9)
  trend = (profile[-1] - profile[0]) / (profile.mean() + 1.0)
  return np.append(profile, trend)


def _onset_grid(onsets):
  """(share of onsets on the modal-IOI grid, IOI entropy in bits)."""
  if len(onsets) < 3:
    return np.zeros(2)
  steps = np.round(np.diff(onsets) * 100).astype(np.int64)
  values, counts = np.unique(steps, return_counts=True)
  unit = values[counts.argmax()] / 100.0
  phase = (onsets - onsets[0]) / max(unit, 1e-9)
  on_grid = np.abs(phase - np.round(phase)) * unit <= GRID_TOLERANCE
  shares = counts / counts.sum()
  return np.array([on_grid.mean(), -(shares * np.log2(shares)).sum()])


def _top_line(pitch, start):
  """Highest pitch of each onset, in time order."""
  _, first = np.unique(start, return_index=True)
  last = np.append(first[1:], len(pitch)) - 1  # sorted by (start, pitch)
  return pitch[last]


def _repetition(pitch, start, top, total):
  """(bar-scale pitch-class self-similarity, repeated interval 4-grams)."""
  windows = max(int(np.ceil(total / WINDOW_SECONDS)), 1)
  chroma = np.zeros([windows, 12])
  index = np.minimum((start / WINDOW_SECONDS).astype(np.int64), windows - 1)
  np.add.at(chroma, (index, pitch % 12), 1.0)
  norms = np.linalg.norm(chroma, axis=1)
  used = norms > 0
  chroma, similarity = chroma[used] / norms[used, None], 0.0
  if len(chroma) >= 2:
    cosine = chroma @ chroma.T
    similarity = float(np.mean([cosine[i, :i].max()
                                for i in range(1, len(chroma))]))
  intervals = np.diff(top)
  grams = [tuple(intervals[i:i + 4]) for i in range(len(intervals) - 3)]
  seen, repeated = set(), 0
  for gram in grams:
    repeated += gram in seen
    seen.add(gram)
  return np.array([similarity, repeated / max(len(grams), 1)])


def _contour(pitch, start, top, total):
  """Top-line steps up / down / same; mean span range; std of span means."""
  steps = np.sign(np.diff(top))
  shares = (np.array([np.mean(steps > 0), np.mean(steps < 0),
                      np.mean(steps == 0)]) if len(steps) else np.zeros(3))
  spans = _spans(start, total)
  ranges, means = [], []
  for i in np.unique(spans):
    part = pitch[spans == i]
    ranges.append(np.ptp(part))
    means.append(part.mean())
  return np.append(shares, [np.mean(ranges), np.std(means)])


def features_of_notes(notes: notes_lib.Notes) -> Dict[str, np.ndarray]:
  """Feature groups (FEATURE_GROUPS) of a set of notes; zeros if none."""
  values = {name: np.zeros(size) for name, size in FEATURE_GROUPS}
  if len(notes) == 0:
    return values
  pitch, start, end = notes.pitch, notes.start, notes.end
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
  weighted = np.bincount(pitch % 12, weights=duration, minlength=12)
  correlation, in_scale = _tonality(weighted)
  values['key_correlation'] = np.array([correlation])
  values['duration_scale_consistency'] = np.array([in_scale])
  shares = pitch_classes[pitch_classes > 0] / pitch_classes.sum()
  values['pitch_class_entropy'] = np.array([-(shares * np.log2(shares)).sum()])
  span = max(notes.total_time, end.max())
  values['held_notes'] = np.array([np.mean(duration > HELD_SECONDS),
                                   np.mean(~notes.closed)])
  values['polyphony_profile'] = _polyphony_profile(start, end, span)
  values['onset_grid'] = _onset_grid(onsets)
  top = _top_line(pitch, start)
  values['repetition'] = _repetition(pitch, start, top, span)
  values['contour'] = _contour(pitch, start, top, span)
  return values


def held_time_share(notes: notes_lib.Notes,
                    seconds: float = HELD_SECONDS) -> float:
  """Share of the piece's time in which a note longer than `seconds` sounds.

  What a listener hears as a drone: four notes held under 400 short ones are
  1 % of the notes (`held_notes`) but can sound for most of the piece. Not a
  feature of the evaluator; the report and the monitor show it.
  """
  if len(notes) == 0:
    return 0.0
  held = notes.duration > seconds
  total = max(notes.total_time, notes.end.max())
  covered, end = 0.0, -np.inf
  for start, stop in sorted(zip(notes.start[held], notes.end[held])):
    covered += max(0.0, stop - max(start, end))
    end = max(end, stop)
  return float(covered / total) if total > 0 else 0.0


def feature_vector(tokens) -> np.ndarray:
  """float32 [NUM_FEATURES] features of int [L] event tokens."""
  groups = features_of_notes(notes_lib.notes_of_tokens(tokens))
  return np.concatenate([groups[name] for name, _ in FEATURE_GROUPS]).astype(
      np.float32)


def feature_matrix(token_lists: Sequence) -> np.ndarray:
  """float32 [N, NUM_FEATURES] for N token sequences."""
  if not len(token_lists):
    return np.zeros([0, NUM_FEATURES], np.float32)
  return np.stack([feature_vector(t) for t in token_lists])
