"""Real music from a dataset split, as numpy token crops.

The evaluator and the report compare generated samples with crops of real
pieces of the same genre; these helpers read a split once and cut it.
"""

from typing import List, Optional, Sequence, Tuple

import numpy as np
import tensorflow_datasets as tfds

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets

Piece = Tuple[np.ndarray, int]  # (event tokens, class index)


def read_pieces(builder, split: str, genres: Sequence[str],
                max_pieces_per_genre: Optional[int] = None) -> List[Piece]:
  """[(event tokens int32 [n], class index into `genres`)], file order."""
  genre_ids = datasets.genre_ids(builder, genres)
  label_of = {genre_id: i for i, genre_id in enumerate(genre_ids)}
  counts = [0] * len(genres)
  pieces = []
  for example in tfds.as_numpy(builder.as_dataset(split=split)):
    label = label_of.get(int(example['genre']))
    if label is None or (max_pieces_per_genre and
                         counts[label] >= max_pieces_per_genre):
      continue
    tokens = np.asarray(example['tokens'], np.int32)
    tokens = tokens[(tokens >= vocab.NUM_RESERVED) &
                    (tokens < vocab.GENRE_OFFSET)]
    if len(tokens):
      counts[label] += 1
      pieces.append((tokens, label))
  return pieces


def random_crops(pieces: Sequence[Piece], min_len: int, max_len: int,
                 crops_per_piece: int, seed: int = 0) -> List[Piece]:
  """Crops of uniform random length in [min_len, max_len], random offsets.

  A piece shorter than the drawn length gives itself (once).
  """
  rng = np.random.default_rng(seed)
  crops = []
  for tokens, label in pieces:
    for _ in range(crops_per_piece):
      length = int(rng.integers(min_len, max_len + 1))
      if len(tokens) <= length:
        crops.append((tokens, label))
        break
      start = int(rng.integers(0, len(tokens) - length + 1))
      crops.append((tokens[start:start + length], label))
  return crops


def fixed_crops(pieces: Sequence[Piece], length: int,
                max_crops_per_piece: int = 8) -> List[Piece]:
  """Consecutive non-overlapping crops of `length` (a shorter piece: whole)."""
  crops = []
  for tokens, label in pieces:
    count = min(max(len(tokens) // length, 1), max_crops_per_piece)
    crops.extend((tokens[i * length:(i + 1) * length], label)
                 for i in range(count))
  return crops


def crops_in_turn(pieces: Sequence[np.ndarray], length: int, count: int,
                  seed: int = 0):
  """`count` crops of `length` at random offsets, taking the pieces in turn.

  A piece shorter than `length` gives itself.

  Returns:
    ([int32 [<= length] crops], int64 [count] index of each crop's piece).
  """
  rng = np.random.default_rng(seed)
  crops, groups = [], []
  for i in range(count if len(pieces) else 0):
    piece = i % len(pieces)
    tokens = pieces[piece]
    start = int(rng.integers(0, max(len(tokens) - length, 0) + 1))
    crops.append(tokens[start:start + length])
    groups.append(piece)
  return crops, np.array(groups, np.int64)
