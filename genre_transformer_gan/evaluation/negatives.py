"""Negatives: token streams a judge of music must not take for music.

Every judge (the evaluator's reject option, C2ST, Fréchet distance) is
calibrated on these, and every evaluation report lists them beside real
music, so a reader sees what a number means when the input is not music:

  uniform    event tokens drawn uniformly (noise);
  unigram    event tokens drawn from a genre's token frequencies (no
             context: matches every marginal statistic of the genre's
             tokens, and nothing else);
  shuffled   a real crop with its events shuffled within the crop (the
             same tokens in a meaningless order);
  drone      a real crop with (a share of) its NOTE_OFF events removed:
             notes switched on and never off, the failure of an
             under-trained generator.

All are seeded numpy functions of any length; `make` builds a named set.
"""

from typing import List, Sequence

import numpy as np

from genre_transformer_gan.data import vocabulary as vocab

KINDS = ('uniform', 'unigram', 'shuffled', 'drone')


def uniform(count: int, length: int, seed: int = 0) -> List[np.ndarray]:
  """`count` int32 [length] streams of uniformly drawn event tokens."""
  rng = np.random.default_rng(seed)
  return list(rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                           size=[count, length]).astype(np.int32))


def unigram_distribution(pieces: Sequence[np.ndarray]) -> np.ndarray:
  """float64 [GENRE_OFFSET]: event-token frequencies of `pieces` (add-one)."""
  counts = np.ones(vocab.GENRE_OFFSET)
  counts[:vocab.NUM_RESERVED] = 0.0
  for tokens in pieces:
    counts += np.bincount(np.asarray(tokens), minlength=vocab.GENRE_OFFSET
                          )[:vocab.GENRE_OFFSET]
  counts[:vocab.NUM_RESERVED] = 0.0
  return counts / counts.sum()


def unigram(pieces: Sequence[np.ndarray], count: int, length: int,
            seed: int = 0) -> List[np.ndarray]:
  """`count` int32 [length] streams drawn from the pieces' token frequencies."""
  rng = np.random.default_rng(seed)
  distribution = unigram_distribution(pieces)
  return list(rng.choice(vocab.GENRE_OFFSET, size=[count, length],
                         p=distribution).astype(np.int32))


def shuffled(crops: Sequence[np.ndarray], seed: int = 0) -> List[np.ndarray]:
  """Each crop with its events in a random order."""
  rng = np.random.default_rng(seed)
  return [rng.permutation(np.asarray(c)).astype(np.int32) for c in crops]


def drone(crops: Sequence[np.ndarray], share: float = 1.0,
          seed: int = 0) -> List[np.ndarray]:
  """Each crop without `share` of its NOTE_OFF events (chosen at random)."""
  rng = np.random.default_rng(seed)
  result = []
  for crop in crops:
    crop = np.asarray(crop)
    is_off = (crop >= vocab.NOTE_OFF_OFFSET) & (crop < vocab.TIME_SHIFT_OFFSET)
    drop = is_off & (rng.random(len(crop)) < share)
    result.append(crop[~drop].astype(np.int32))
  return result


def crops_of(pieces: Sequence[np.ndarray], count: int, length: int,
             seed: int = 0) -> List[np.ndarray]:
  """`count` random crops of `length` (whole pieces when shorter)."""
  rng = np.random.default_rng(seed)
  crops = []
  for _ in range(count):
    tokens = np.asarray(pieces[int(rng.integers(len(pieces)))])
    start = int(rng.integers(0, max(len(tokens) - length, 0) + 1))
    crops.append(tokens[start:start + length].astype(np.int32))
  return crops


def make(kind: str, pieces: Sequence[np.ndarray], count: int, length: int,
         seed: int = 0, crops: Sequence[np.ndarray] = (),
         drone_share: float = 1.0) -> List[np.ndarray]:
  """`count` negatives of `kind` (KINDS) about `length` tokens long.

  Args:
    kind: one of KINDS.
    pieces: real event-token pieces of one genre (unigram frequencies, and
      crops for shuffled / drone when `crops` is empty).
    count, length: how many, and how long.
    seed: the same seed gives the same negatives.
    crops: real crops to shuffle or drone instead of fresh ones (so a report
      can derive its negatives from the very crops of its real row).
    drone_share: the share of note-offs a drone loses.
  """
  if kind == 'uniform':
    return uniform(count, length, seed)
  if kind == 'unigram':
    return unigram(pieces, count, length, seed)
  if kind not in KINDS:
    raise ValueError(f'Unknown negative {kind!r}; choose one of: '
                     f'{", ".join(KINDS)}.')
  crops = list(crops) or crops_of(pieces, count, length, seed)
  if kind == 'shuffled':
    return shuffled(crops[:count], seed)
  return drone(crops[:count], drone_share, seed)
