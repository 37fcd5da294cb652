"""Real music from a prepared dataset, as numpy token sequences and crops.

`RealMusic` is what evaluation receives instead of the TFDS builder: the
dataset's name, genres and splits, the pieces of a split (read once, then
filtered by genre) and the split as tf.data for likelihoods. The evaluator
and the report compare generated samples with crops of real pieces of the
same genre; the crop helpers below cut them.
"""

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import tensorflow_datasets as tfds

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets

Piece = Tuple[np.ndarray, int]  # (event tokens, class index)


class RealMusic:
  """The real music of one prepared dataset; each split is read once.

  Attributes:
    name: the dataset's full name ('corpus_genre/small/1.4.0').
    genres: its genre names, in label order.
    vocabulary: its data/vocabulary.Vocabulary (events + genre tokens).
    splits: the names of its splits.
  """

  def __init__(self, builder):
    """builder: a prepared TFDS builder (datasets.load_builder)."""
    self._builder = builder
    self.name = builder.info.full_name
    self.vocabulary = datasets.get_vocabulary(builder)
    self.genres = tuple(self.vocabulary.genres)
    self.splits = tuple(builder.info.splits.keys())
    self._read: Dict[str, List[Tuple[np.ndarray, int]]] = {}

  def genre_ids(self, genres: Sequence[str]) -> List[int]:
    """The dataset's label index of each genre name (one-line error)."""
    return datasets.genre_ids(self._builder, genres)

  def examples(self, split: str):
    """The split as the builder's tf.data.Dataset of {'tokens', 'genre'}."""
    return self._builder.as_dataset(split=split)

  def _split(self, split: str) -> List[Tuple[np.ndarray, int, str]]:
    """[(event tokens, genre label index, example id)], file order."""
    if split not in self._read:
      read = []
      for example in tfds.as_numpy(self.examples(split)):
        tokens = np.asarray(example['tokens'], np.int32)
        tokens = tokens[(tokens >= vocab.NUM_RESERVED) &
                        (tokens < vocab.GENRE_OFFSET)]
        if len(tokens):
          read.append((tokens, int(example['genre']),
                       example['id'].decode('utf-8')))
      self._read[split] = read
    return self._read[split]

  def pieces(self, split: str, genres: Sequence[str],
             max_pieces_per_genre: Optional[int] = None) -> List[Piece]:
    """[(event tokens int32 [n], class index into `genres`)], file order."""
    label_of = {genre_id: i for i, genre_id
                in enumerate(self.genre_ids(genres))}
    counts = [0] * len(genres)
    pieces = []
    for tokens, genre_id, _ in self._split(split):
      label = label_of.get(genre_id)
      if label is None or (max_pieces_per_genre and
                           counts[label] >= max_pieces_per_genre):
        continue
      counts[label] += 1
      pieces.append((tokens, label))
    return pieces

  def tokens(self, split: str, genre: str) -> List[np.ndarray]:
    """The event tokens of every `split` piece of one genre."""
    return [tokens for _, tokens in self.named_tokens(split, genre)]

  def named_tokens(self, split: str, genre: str
                   ) -> List[Tuple[str, np.ndarray]]:
    """[(example id, event tokens)] of one genre's `split` pieces, file
    order (corpus_genre's ids begin with the music21 corpus folder: its
    composer or collection)."""
    genre_id = self.genre_ids([genre])[0]
    return [(name, tokens) for tokens, label, name in self._split(split)
            if label == genre_id]


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
