"""decode_tokens: tokens -> NoteSequence -> MIDI -> the same tokens."""

import itertools

import note_seq
import numpy as np
import pytest

from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab


def _onsets(ns):
  return sorted((round(n.start_time * 100), n.pitch, n.velocity)
                for n in ns.notes)


def _has_same_pitch_overlap(ns):
  last_end = {}
  for note in sorted(ns.notes, key=lambda n: n.start_time):
    if note.start_time < last_end.get(note.pitch, -1):
      return True
    last_end[note.pitch] = max(note.end_time, last_end.get(note.pitch, -1))
  return False


@pytest.mark.slow
def test_round_trip_through_midi_file(corpus_midi, tmp_path):
  """tokens -> MIDI -> tokens is exact unless same-pitch notes overlap.

  MIDI cannot say which of two sounding notes of one pitch a note-off ends
  (pretty_midi ends both), so there only the onsets survive.
  """
  exact = 0
  pieces = list(itertools.islice(corpus_midi.items(), 0, None, 8))
  for i, (piece_id, midi_bytes) in enumerate(pieces):
    tokens = tokenizer.encode_midi(midi_bytes)
    path = tmp_path / f'{i}.mid'
    ns = tokenizer.decode_tokens(tokens, path)
    assert len(ns.notes) == np.sum(tokens < vocab.NOTE_OFF_OFFSET), piece_id
    reloaded = note_seq.midi_file_to_note_sequence(str(path))
    assert _onsets(reloaded) == _onsets(ns), piece_id
    if not _has_same_pitch_overlap(ns):
      np.testing.assert_array_equal(tokenizer.encode_midi(path), tokens,
                                    err_msg=piece_id)
      exact += 1
  assert exact >= 5, (exact, len(pieces))  # chorales often double voices


def test_decode_skips_control_tokens_and_stops_at_eos():
  events = [vocab.VELOCITY_OFFSET + 20, vocab.NOTE_ON_OFFSET + 60,
            vocab.TIME_SHIFT_OFFSET + 49, vocab.NOTE_OFF_OFFSET + 60]
  genre = vocab.Vocabulary(['a', 'b']).genre_token('b')
  ns = tokenizer.tokens_to_note_sequence(
      [genre] + events + [vocab.EOS_ID, vocab.NOTE_ON_OFFSET + 70,
                          vocab.PAD_ID])
  assert [(n.pitch, n.start_time, n.end_time) for n in ns.notes] == [
      (60, 0.0, 0.5)]
  # note_seq maps velocity bin b to 4 * (b - 1) + 1.
  assert ns.notes[0].velocity == 81


def test_vocabulary_layout():
  v = vocab.Vocabulary(['classical', 'folk', 'early'])
  assert v.size == 393 and vocab.GENRE_OFFSET == 390 and vocab.NUM_EVENTS == 388
  assert v.genre_token('folk') == 391 and v.genre_of_token(392) == 'early'
  encoding = note_seq.PerformanceOneHotEncoding(num_velocity_bins=32)
  event = note_seq.PerformanceEvent
  assert encoding.encode_event(event(event.TIME_SHIFT, 1)) + 2 == (
      vocab.TIME_SHIFT_OFFSET)
  assert encoding.encode_event(event(event.VELOCITY, 32)) + 2 == (
      vocab.GENRE_OFFSET - 1)
  try:
    v.genre_token('jazz')
  except ValueError as e:
    assert 'classical, folk, early' in str(e)
  else:
    raise AssertionError('unknown genre accepted')
