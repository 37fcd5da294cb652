"""Copying: how much of a set of sequences is the training music again.

A generator fitted to few pieces without augmentation can learn them by
heart, and the two-sample test cannot see it: a copied training piece is
real music. So a set is also measured against the genre's training music:

* a sequence's notes, in onset order (a chord's notes by pitch), are read as
  steps: each note's pitch and onset time *relative to the note before*
  (semitones, 10 ms steps), so a transposed copy is still a copy and
  velocities do not matter;
* **copied share**: the share of its runs of `N_GRAM` consecutive steps
  (with N_GRAM = 16, about four chords of a chorale) that occur anywhere
  in the training music;
* **longest copy**: its longest passage, in notes, made only of such runs.

Real held-out music of the genre, measured the same way, is the baseline:
music shares cadences, scales and repeated chords with other music of its
style, so neither measure is zero for real music. A generator copies when
its shares stand above that baseline.

  index = copying.TrainingIndex(train_pieces)   # [int tokens [L]] each
  copying.measure(samples, index)   # {'copied_share', 'interval', ...}
"""

from typing import Iterable, Sequence

import numpy as np

from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import realism

N_GRAM = 16


def note_steps(tokens) -> np.ndarray:
  """int32 [max(notes - 1, 0), 2]: (pitch step in semitones, onset step in
  10 ms steps) from each note to the next, notes in (onset, pitch) order."""
  notes = notes_lib.notes_of_tokens(tokens)
  onsets = np.round(notes.start * vocab.STEPS_PER_SECOND).astype(np.int64)
  return np.stack([np.diff(notes.pitch), np.diff(onsets)],
                  axis=1).astype(np.int32)


def _grams(steps: np.ndarray, n: int) -> list:
  """The bytes of each run of n consecutive rows of steps [S, 2]."""
  flat = np.ascontiguousarray(steps).view(np.int64).reshape(-1)
  return [flat[i:i + n].tobytes() for i in range(len(flat) - n + 1)]


class TrainingIndex:
  """Every run of n note steps of some training music (a set of bytes).

  Attributes:
    n: steps a run.
    num_pieces: the pieces indexed.
  """

  def __init__(self, pieces: Iterable[np.ndarray], n: int = N_GRAM):
    """pieces: int [L] event tokens of each training piece."""
    if n < 1:
      raise ValueError(f'n must be at least 1, got {n}.')
    self.n = n
    self.num_pieces = 0
    self._runs = set()
    for tokens in pieces:
      self._runs.update(_grams(note_steps(tokens), n))
      self.num_pieces += 1

  def __len__(self):
    return len(self._runs)

  def matches(self, tokens) -> np.ndarray:
    """bool [runs]: whether each run of n note steps of tokens is indexed."""
    return np.array([gram in self._runs
                     for gram in _grams(note_steps(tokens), self.n)], bool)


def copied(tokens, index: TrainingIndex) -> tuple:
  """(copied share or None when shorter than one run, longest copy in
  notes) of one sequence."""
  matched = index.matches(tokens)
  if not len(matched):
    return None, 0
  # A run of n steps spans n + 1 notes; overlapping matched runs chain.
  longest, start, end = 0, 0, -1  # the chain's first and last notes
  for i in np.flatnonzero(matched):
    if i > end:  # shares no note with the chain: a new one
      start = i
    end = i + index.n
    longest = max(longest, end - start + 1)
  return float(matched.mean()), int(longest)


def measure(sequences: Sequence, index: TrainingIndex, seed: int = 0) -> dict:
  """{'copied_share' (mean over sequences), 'interval' (95 %, bootstrap
  over sequences), 'longest_copy' (median notes), 'max_longest_copy',
  'n' (sequences measured)} of a set against the training music."""
  shares, longest = [], []
  for tokens in sequences:
    share, run = copied(tokens, index)
    if share is not None:
      shares.append(share)
      longest.append(run)
  if not shares:
    return {'copied_share': None, 'interval': None, 'longest_copy': None,
            'max_longest_copy': None, 'n': 0}
  return {'copied_share': float(np.mean(shares)),
          'interval': realism.bootstrap_interval(np.array(shares), seed=seed),
          'longest_copy': float(np.median(longest)),
          'max_longest_copy': int(max(longest)), 'n': len(shares)}
