"""A primer for genre transfer: the first event tokens of a MIDI file.

genre_gan_generate --primer=tune.mid continues them in the target genre
(generate_lib.primer_of picks how many).
"""

from typing import Optional

import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import errors
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab


def read_primer(path: str, max_tokens: int,
                seconds: Optional[float] = None) -> np.ndarray:
  """int32 [n <= max_tokens]: the first event tokens of a MIDI file (and of
  its first `seconds`, if given).

  Raises:
    FileNotFoundError: no such file. ValueError: unreadable or no notes.
  """
  if not tf.io.gfile.exists(path):
    raise FileNotFoundError(f'--primer={path} does not exist.')
  try:
    tokens = tokenizer.encode_midi(path)
  except errors.UnreadableMidiError as e:
    raise ValueError(f'--primer={path} is not a readable MIDI file ({e}); '
                     'pass a MIDI file.') from None
  if not np.any((tokens >= vocab.NOTE_ON_OFFSET) &
                (tokens < vocab.NOTE_OFF_OFFSET)):
    raise ValueError(f'--primer={path} has no (non-drum) notes; pass a MIDI '
                     'file with notes.')
  if seconds is not None:
    tokens = example_lib.first_seconds(tokens, seconds)
  return tokens[:max_tokens].astype(np.int32)
