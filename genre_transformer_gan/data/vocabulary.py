"""The token vocabulary, in one place.

Layout (Magenta score2perf's, plus genre control tokens):

  id 0               PAD
  id 1               EOS
  ids 2..129         NOTE_ON   pitch 0..127
  ids 130..257       NOTE_OFF  pitch 0..127
  ids 258..357       TIME_SHIFT 1..100 steps of 10 ms
  ids 358..389       VELOCITY  bins 1..32
  ids 390..          one GENRE token per genre, in the dataset's ClassLabel order

Event ids 2..389 are exactly note_seq's
`PerformanceOneHotEncoding(num_velocity_bins=32).encode_event(event) + 2`.
A training sequence is `[GENRE, event, event, ...]`: the genre token at
position 0 is how the generator is conditioned.
"""

import dataclasses
from typing import Sequence, Tuple

import numpy as np

PAD_ID = 0
EOS_ID = 1
NUM_RESERVED = 2

STEPS_PER_SECOND = 100
MAX_SHIFT_STEPS = 100
NUM_VELOCITY_BINS = 32
NUM_PITCHES = 128

NOTE_ON_OFFSET = NUM_RESERVED                            # 2
NOTE_OFF_OFFSET = NOTE_ON_OFFSET + NUM_PITCHES           # 130
TIME_SHIFT_OFFSET = NOTE_OFF_OFFSET + NUM_PITCHES        # 258 (shift of 1)
VELOCITY_OFFSET = TIME_SHIFT_OFFSET + MAX_SHIFT_STEPS    # 358 (bin 1)
NUM_EVENTS = 2 * NUM_PITCHES + MAX_SHIFT_STEPS + NUM_VELOCITY_BINS  # 388
GENRE_OFFSET = NUM_RESERVED + NUM_EVENTS                 # 390

# Pitches the training augmentation keeps (the piano range, as in score2perf).
MIN_ALLOWED_PITCH = 21
MAX_ALLOWED_PITCH = 108


def velocity_to_bin(velocity):
  """note_seq's velocity binning: MIDI velocity 1..127 -> bin 1..32."""
  return (velocity - 1) * NUM_VELOCITY_BINS // 127 + 1


def event_mask(vocab_size: int) -> np.ndarray:
  """bool [vocab_size]: True for event tokens (what samplers may draw)."""
  ids = np.arange(vocab_size)
  return (ids >= NUM_RESERVED) & (ids < GENRE_OFFSET)


@dataclasses.dataclass(frozen=True)
class Vocabulary:
  """Event tokens plus one control token per genre.

  Attributes:
    genres: genre names in ClassLabel order; genre i has token
      `GENRE_OFFSET + i`.
  """
  genres: Tuple[str, ...]

  def __init__(self, genres: Sequence[str]):
    genres = tuple(genres)
    if len(set(genres)) != len(genres):
      raise ValueError(f'Duplicate genre names in {genres}.')
    object.__setattr__(self, 'genres', genres)

  @property
  def size(self) -> int:
    return GENRE_OFFSET + len(self.genres)

  def genre_id(self, genre: str) -> int:
    """The index of a genre name in `genres` (its ClassLabel index).

    Raises:
      ValueError: an unknown name; the message lists the known ones.
    """
    if genre not in self.genres:
      raise ValueError(
          f'Unknown genre {genre!r}; choose one of: {", ".join(self.genres)}.')
    return self.genres.index(genre)

  def genre_token(self, genre) -> int:
    """Token of a genre given by name or ClassLabel index."""
    if isinstance(genre, str):
      genre = self.genre_id(genre)
    if not 0 <= genre < len(self.genres):
      raise ValueError(f'Genre index {genre} out of range 0..{len(self.genres) - 1}.')
    return GENRE_OFFSET + int(genre)

  def genre_of_token(self, token: int) -> str:
    index = int(token) - GENRE_OFFSET
    if not 0 <= index < len(self.genres):
      raise ValueError(f'Token {token} is not a genre token.')
    return self.genres[index]
