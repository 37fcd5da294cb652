"""Exceptions of the data stage."""


class UnreadableMidiError(ValueError):
  """A MIDI file could not be turned into event tokens.

  Attributes:
    reason: a short machine-readable category (`decode_error`,
      `negative_time`, ...), used by the dataset builders to count skips.
  """

  def __init__(self, message: str, reason: str = 'decode_error'):
    super().__init__(message)
    self.reason = reason
