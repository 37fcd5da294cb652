"""Training augmentation on event tokens, in TensorFlow ops (for tf.data).

Magenta's score2perf augments NoteSequences: stretch time by a factor in
{0.95, 0.975, 1, 1.025, 1.05}, transpose by -3..+3 semitones, and drop the
example if a note leaves the piano range 21..108. Here the same is done on
tokens, so crops of stored token sequences can be augmented on the fly:

  * time stretch: each event's time t (in 10 ms steps) becomes
    int(t * 0.01 * factor * 100 + 0.5), note_seq's own float operations, and
    the time shifts are re-encoded (a gap of d steps as ceil(d/100) shifts,
    all 100 but the last), as note_seq's Performance does;
  * transposition: NOTE_ON/NOTE_OFF tokens move by the interval.

tests/test_augmentation.py checks both against note_seq's
`stretch_note_sequence` / `transpose_note_sequence` on real music: onsets
are identical. Offsets can differ in one case: a note that the stretch
shrinks to zero steps is dropped here, while re-quantizing the stretched
NoteSequence would lengthen it to one step.
"""

import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab

# Magenta score2perf's ranges; configs.TrainConfig holds them.
STRETCH_FACTORS = configs.TrainConfig.stretch_factors
MAX_TRANSPOSE = configs.TrainConfig.max_transpose


def stretches(stretch_factors) -> bool:
  """Whether `stretch_factors` stretch at all ((1.0,): never)."""
  return tuple(stretch_factors) != (1.0,)


def _is_note(tokens):
  return (tokens >= vocab.NOTE_ON_OFFSET) & (tokens < vocab.TIME_SHIFT_OFFSET)


def transpose(tokens, semitones):
  """Moves every note by `semitones`.

  Args:
    tokens: int32 [length] event tokens.
    semitones: int32 scalar.

  Returns:
    (tokens int32 [length], in_range bool scalar: every note stays within
    MIN_ALLOWED_PITCH..MAX_ALLOWED_PITCH).
  """
  tokens = tf.convert_to_tensor(tokens, tf.int32)
  semitones = tf.cast(semitones, tf.int32)
  is_note = _is_note(tokens)
  pitch = (tokens - vocab.NOTE_ON_OFFSET) % vocab.NUM_PITCHES + semitones
  in_range = tf.reduce_all(
      ~is_note | ((pitch >= vocab.MIN_ALLOWED_PITCH) &
                  (pitch <= vocab.MAX_ALLOWED_PITCH)))
  return tf.where(is_note, tokens + semitones, tokens), in_range


def time_stretch(tokens, factor):
  """Stretches time by `factor`, re-encoding the time shifts.

  Time shifts after the last event are kept (stretched) as trailing shifts.

  Args:
    tokens: int32 [length] event tokens (no PAD / genre tokens).
    factor: float scalar.

  Returns:
    int32 [new_length] tokens.
  """
  tokens = tf.convert_to_tensor(tokens, tf.int32)
  is_shift = (tokens >= vocab.TIME_SHIFT_OFFSET) & (
      tokens < vocab.VELOCITY_OFFSET)
  steps = tf.where(is_shift, tokens - vocab.TIME_SHIFT_OFFSET + 1, 0)
  time = tf.cumsum(steps)
  # Events, plus a sentinel (-1) at the end time carrying trailing shifts.
  events = tf.concat([tf.boolean_mask(tokens, ~is_shift), [-1]], 0)
  event_time = tf.concat([tf.boolean_mask(time, ~is_shift),
                          tf.reduce_sum(steps, keepdims=True)], 0)
  # The float64 operations of note_seq's decode (step * 0.01 s), stretch
  # (* factor) and quantization (* 100 + 0.5, truncated), so rounding ties
  # fall the same way. (A float32 factor would turn 50 * 1.05 into 52.4999.)
  factor = tf.convert_to_tensor(factor, tf.float64)
  seconds = tf.cast(event_time, tf.float64) * (1.0 / vocab.STEPS_PER_SECOND)
  new_time = tf.cast(tf.floor(seconds * factor * vocab.STEPS_PER_SECOND + 0.5),
                     tf.int32)
  gap = new_time - tf.concat([[0], new_time[:-1]], 0)
  num_shifts = (gap + vocab.MAX_SHIFT_STEPS - 1) // vocab.MAX_SHIFT_STEPS
  last_shift = gap - vocab.MAX_SHIFT_STEPS * (num_shifts - 1)
  counts = num_shifts + 1
  row = tf.repeat(tf.range(tf.size(events)), counts)
  position = tf.range(tf.reduce_sum(counts)) - tf.gather(
      tf.cumsum(counts, exclusive=True), row)
  row_shifts = tf.gather(num_shifts, row)
  out = tf.where(
      position == row_shifts, tf.gather(events, row),
      tf.where(position == row_shifts - 1,
               vocab.TIME_SHIFT_OFFSET + tf.gather(last_shift, row) - 1,
               vocab.TIME_SHIFT_OFFSET + vocab.MAX_SHIFT_STEPS - 1))
  return tf.boolean_mask(out, out >= 0)


def augment(tokens, seed, max_transpose: int = MAX_TRANSPOSE,
            stretch_factors=STRETCH_FACTORS):
  """Random stretch then transposition, deterministic in `seed`.

  Args:
    tokens: int32 [length] event tokens.
    seed: int [2] stateless seed.
    max_transpose: transpose by a uniform integer in [-max, max].
    stretch_factors: stretch by one of these, uniformly ((1.0,): never;
      the same transposition as with stretching, for the same seed).

  Returns:
    (tokens int32 [new_length], keep bool scalar: False when a note left the
    piano range, so the example is to be dropped).
  """
  seeds = tf.random.experimental.stateless_split(seed, 2)
  semitones = tf.random.stateless_uniform(
      [], seeds[1], -max_transpose, max_transpose + 1, dtype=tf.int32)
  if not stretches(stretch_factors):  # Time stays on its grid.
    return transpose(tokens, semitones)
  factor_index = tf.random.stateless_uniform(
      [], seeds[0], 0, len(stretch_factors), dtype=tf.int32)
  factor = tf.gather(tf.constant(stretch_factors, tf.float64), factor_index)
  return transpose(time_stretch(tokens, factor), semitones)
