"""Notes -> performance event tokens, vectorised, exactly as note_seq does it.

The oracle is `midi_reference.note_sequence_to_tokens` (note_seq's
`apply_sustain_control_changes`, `quantize_note_sequence_absolute`,
`Performance` and `PerformanceOneHotEncoding`, with its `one_key_per_pitch`
between quantizing and the Performance); this module reproduces it on numpy
arrays from `smf_reader.read_notes`.
"""

import operator

import numpy as np

from genre_transformer_gan.data import smf_reader
from genre_transformer_gan.data import vocabulary as vocab

# note_seq.sequences_lib's event order at equal times.
_SUSTAIN_ON, _SUSTAIN_OFF, _NOTE_ON, _NOTE_OFF = 0, 1, 2, 3


def apply_sustain(notes: smf_reader.MidiNotes):
  """note_seq.apply_sustain_control_changes on arrays.

  Only instruments with sustain events can change, and each instrument is
  independent except for the final time (the time of the last event of all
  instruments), which ends notes still held when the music stops.

  Returns:
    (end, keep): float64 [n] new end times and bool [n] notes that survive
    (a same-pitch retrigger at the same instant deletes the earlier note).
  """
  end = notes.end.copy()
  keep = np.ones(len(end), dtype=bool)
  if not len(notes.cc_time):
    return end, keep
  melodic = ~notes.is_drum
  final_time = max(
      np.max(notes.start[melodic], initial=0.0),
      np.max(notes.end[melodic], initial=0.0),
      np.max(notes.cc_time))
  start, pitch = notes.start, notes.pitch
  for instrument in np.unique(notes.cc_instrument):
    indices = np.flatnonzero((notes.instrument == instrument) & melodic)
    if not len(indices):
      continue
    events = [(start[i], _NOTE_ON, i) for i in indices]
    events += [(end[i], _NOTE_OFF, i) for i in indices]
    for j in np.flatnonzero(notes.cc_instrument == instrument):
      value = notes.cc_value[j]
      events.append(
          (notes.cc_time[j], _SUSTAIN_ON if value >= 64 else _SUSTAIN_OFF, -1))
    events.sort(key=operator.itemgetter(0, 1))
    active = []
    sustain = False
    for time, event_type, i in events:
      if event_type == _SUSTAIN_ON:
        sustain = True
      elif event_type == _SUSTAIN_OFF:
        sustain = False
        still_active = []
        for j in active:
          if end[j] < time:
            end[j] = time
          else:
            still_active.append(j)
        active = still_active
      elif event_type == _NOTE_ON:
        if sustain:
          still_active = []
          for j in active:
            if pitch[j] == pitch[i]:
              end[j] = time
              if start[j] == end[j]:
                keep[j] = False
            else:
              still_active.append(j)
          active = still_active
        active.append(i)
      elif not sustain and i in active:
        active.remove(i)
    for j in active:
      end[j] = final_time
  return end, keep


def _quantize(seconds):
  """note_seq.quantize_to_step at 100 steps/s: int(t * 100 + 0.5)."""
  return (seconds * vocab.STEPS_PER_SECOND + 0.5).astype(np.int64)


def one_key_per_pitch(pitch, start, start_step, end_step, velocity):
  """`midi_reference.one_key_per_pitch` on arrays of [n] notes.

  Returns:
    (kept, end_step, velocity): int64 [m] indices of the notes kept, in
    their original order, with their new int64 [m] end steps and velocities.
  """
  order = np.lexsort((np.arange(len(pitch)), start, start_step, pitch))
  pitch, step = pitch[order], start_step[order]
  first = np.ones(len(order), dtype=bool)
  first[1:] = (pitch[1:] != pitch[:-1]) | (step[1:] != step[:-1])
  heads = np.flatnonzero(first)
  end = np.maximum.reduceat(end_step[order], heads)
  loudest = np.maximum.reduceat(velocity[order], heads)
  pitch, step = pitch[heads], step[heads]
  struck_again = np.zeros(len(heads), dtype=bool)
  struck_again[:-1] = (pitch[1:] == pitch[:-1]) & (step[1:] < end[:-1])
  end[:-1] = np.where(struck_again[:-1], step[1:], end[:-1])
  kept = order[heads]
  back = np.argsort(kept, kind='stable')
  return kept[back], end[back], loudest[back]


def notes_to_tokens(notes: smf_reader.MidiNotes) -> np.ndarray:
  """Sustain -> drop drums -> quantize -> one key per pitch -> Performance ->
  int32 tokens."""
  end, keep = apply_sustain(notes)
  keep &= ~notes.is_drum
  start = notes.start[keep]
  end = end[keep]
  pitch = notes.pitch[keep]
  velocity = notes.velocity[keep]
  num_notes = len(start)
  if not num_notes:
    return np.zeros(0, dtype=np.int32)
  start_step = _quantize(start)
  end_step = _quantize(end)
  end_step += end_step == start_step
  kept, end_step, velocity = one_key_per_pitch(pitch, start, start_step,
                                               end_step, velocity)
  start, pitch, start_step = start[kept], pitch[kept], start_step[kept]
  num_notes = len(start)

  # Performance._from_quantized_sequence: notes sorted by (start_time, pitch)
  # (stable), then events sorted by (step, note index, is_offset).
  order = np.lexsort((np.arange(num_notes), pitch, start))
  start_step, end_step = start_step[order], end_step[order]
  pitch, velocity = pitch[order], velocity[order]
  ev_step = np.concatenate([start_step, end_step])
  ev_note = np.concatenate([np.arange(num_notes), np.arange(num_notes)])
  ev_off = np.repeat([False, True], num_notes)
  ev_order = np.lexsort((ev_off, ev_note, ev_step))
  ev_step, ev_note, ev_off = ev_step[ev_order], ev_note[ev_order], ev_off[
      ev_order]

  # Time shifts before each event: d steps as ceil(d/100) shifts, all of 100
  # but the last.
  gap = np.diff(ev_step, prepend=0)
  num_shifts = -(-gap // vocab.MAX_SHIFT_STEPS)
  last_shift = gap - vocab.MAX_SHIFT_STEPS * (num_shifts - 1)
  # A velocity event precedes an onset whose bin differs from the previous
  # onset's (the first onset always: the current bin starts at 0).
  bins = vocab.velocity_to_bin(velocity[ev_note])
  onset_bins = bins[~ev_off]
  new_bin = onset_bins != np.concatenate([[0], onset_bins[:-1]])
  has_velocity = np.zeros(len(ev_step), dtype=bool)
  has_velocity[~ev_off] = new_bin

  counts = num_shifts + has_velocity + 1
  note_pos = np.cumsum(counts) - 1
  tokens = np.full(note_pos[-1] + 1,
                   vocab.TIME_SHIFT_OFFSET + vocab.MAX_SHIFT_STEPS - 1,
                   dtype=np.int32)
  shifted = num_shifts > 0
  tokens[(note_pos - has_velocity - 1)[shifted]] = (
      vocab.TIME_SHIFT_OFFSET + last_shift[shifted] - 1)
  tokens[(note_pos - 1)[has_velocity]] = (
      vocab.VELOCITY_OFFSET + bins[has_velocity] - 1)
  tokens[note_pos] = np.where(ev_off, vocab.NOTE_OFF_OFFSET,
                              vocab.NOTE_ON_OFFSET) + pitch[ev_note]
  return tokens
