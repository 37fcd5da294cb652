"""encode_midi == the note_seq reference recipe, on real music and edge cases."""

import ast
from importlib import metadata
import os
import random

import numpy as np
import pytest

from genre_transformer_gan.data import errors
from genre_transformer_gan.data import midi_reference
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import smf_reader
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.testing import synthetic_midi
from tests import midi_cases


_PROVEN_ON = '-'.join(f'{package}{metadata.version(package)}'
                      for package in sorted(smf_reader.MIRRORED_VERSIONS))


@pytest.fixture(autouse=True, params=[_PROVEN_ON], ids=[_PROVEN_ON])
def proven_on(request):
  """Names the mido / pretty_midi releases in every test id of this file."""
  return request.param


def _both(midi_bytes):
  """(reference result, fast result): tokens, or 'rejected'."""
  results = []
  for encode in (midi_reference.encode_midi_reference, tokenizer.encode_midi):
    try:
      results.append(encode(midi_bytes))
    except errors.UnreadableMidiError:
      results.append('rejected')
  return results


def _assert_same(reference, fast, name):
  if isinstance(reference, str) or isinstance(fast, str):
    assert isinstance(reference, str) and isinstance(fast, str), (
        name, reference if isinstance(reference, str) else 'accepted',
        fast if isinstance(fast, str) else 'accepted')
  else:
    assert fast.dtype == np.int32
    np.testing.assert_array_equal(fast, reference, err_msg=name)


@pytest.mark.slow
def test_identical_on_real_music(corpus_midi):
  genres = {piece_id.split('/')[0] for piece_id in corpus_midi}
  assert len(corpus_midi) >= 100 and len(genres) >= 6
  total = 0
  for piece_id, midi_bytes in corpus_midi.items():
    smf_reader.read_notes(midi_bytes)  # The fast path, not the fallback.
    reference, fast = _both(midi_bytes)
    _assert_same(reference, fast, piece_id)
    total += 0 if isinstance(reference, str) else len(reference)
  assert total > 100_000


@pytest.mark.parametrize('name', sorted(midi_cases.edge_cases()))
def test_identical_on_edge_cases(name):
  reference, fast = _both(midi_cases.edge_cases()[name])
  _assert_same(reference, fast, name)


def test_edge_cases_exercise_both_outcomes():
  outcomes = {name: isinstance(_both(data)[0], str)
              for name, data in midi_cases.edge_cases().items()}
  assert not outcomes['sustain_pedal'] and not outcomes['tempo_changes']
  for rejected in ('truncated', 'not_midi', 'empty_track', 'zero_division',
                   'time_signature_numerator_0', 'data_byte_over_127'):
    assert outcomes[rejected], rejected


def test_identical_on_random_event_streams():
  for seed in range(120):
    data = synthetic_midi.random_midi(seed, num_tracks=1 + seed % 4,
                                      events_per_track=40 + seed)
    smf_reader.read_notes(data)  # The fast path, not the fallback.
    reference, fast = _both(data)
    assert not isinstance(reference, str)
    _assert_same(reference, fast, f'random seed {seed}')


@pytest.mark.slow
def test_identical_on_corrupted_files(corpus_midi):
  rng = random.Random(0)
  sources = list(corpus_midi.values())[:20] + [
      synthetic_midi.random_midi(s) for s in range(10)]
  rejected = 0
  for i in range(400):
    data = bytearray(sources[i % len(sources)])
    position = rng.randrange(len(data))
    kind = i % 4
    if kind == 0:
      data[position] = rng.randrange(256)
    elif kind == 1:
      del data[position:]
    elif kind == 2:
      data[position:position] = bytes(rng.randrange(256) for _ in range(3))
    else:
      del data[position:position + 3]
    reference, fast = _both(bytes(data))
    _assert_same(reference, fast, f'mutation {i}')
    rejected += isinstance(reference, str)
  assert 50 < rejected < 400


def test_encode_midi_accepts_path_and_bytes(tmp_path):
  data = synthetic_midi.style_midi(0, seed=1)
  path = tmp_path / 'piece.mid'
  path.write_bytes(data)
  np.testing.assert_array_equal(tokenizer.encode_midi(str(path)),
                                tokenizer.encode_midi(data))
  np.testing.assert_array_equal(tokenizer.encode_midi(path),
                                tokenizer.encode_midi(data))


def test_unreadable_midi_error():
  with pytest.raises(errors.UnreadableMidiError) as raised:
    tokenizer.encode_midi(b'not a midi file')
  assert isinstance(raised.value, ValueError)
  assert raised.value.reason == 'decode_error'
  with pytest.raises(errors.UnreadableMidiError) as raised:
    tokenizer.encode_midi('/nonexistent/file.mid')
  assert raised.value.reason == 'io_error'


def test_info_counts_drums():
  info = tokenizer.encode_midi_with_info(midi_cases.edge_cases()['drums'])
  assert (info.num_notes, info.num_drum_notes) == (1, 2)
  info = tokenizer.encode_midi_with_info(midi_cases.edge_cases()['only_drums'])
  assert (info.num_notes, info.num_drum_notes, len(info.tokens)) == (0, 1, 0)


@pytest.mark.slow
def test_fast_tempo_map_equals_note_seq(corpus_midi):
  """The qpm the builders check (absurd_tempo) is note_seq's, on both paths."""
  streams = [synthetic_midi.random_midi(seed, num_tracks=1 + seed % 4,
                                        events_per_track=60)
             for seed in range(40)]
  for data in streams + list(corpus_midi.values())[:40]:
    expected = [t.qpm for t in midi_reference.midi_bytes_to_note_sequence(
        data).tempos]
    np.testing.assert_allclose(smf_reader.read_notes(data).qpm, expected,
                               rtol=1e-9)
    info = tokenizer.encode_midi_with_info(data)
    np.testing.assert_allclose(info.qpm, expected, rtol=1e-9)
    assert info.smf_format == 1


def test_unison_voices_become_one_key():
  """Same-pitch notes of two voices: struck again ends, same onset merges."""
  on, off = midi_cases.on, midi_cases.off
  data = midi_cases.to_bytes([
      [on(60, 80), on(64, 50, time=480), off(60, 480), off(64)],
      [on(60, 80, time=240), off(60, 240), on(64, 90), off(64, 240)],
  ])  # 120 bpm: 480 ticks are 0.5 s.
  reference, fast = _both(data)
  _assert_same(reference, fast, 'unison')
  notes = notes_lib.notes_of_tokens(fast)
  np.testing.assert_array_equal(notes.pitch, [60, 60, 64])
  np.testing.assert_allclose(notes.start, [0.0, 0.25, 0.5])
  np.testing.assert_allclose(notes.end, [0.25, 0.5, 1.0])
  assert notes.velocity[2] == notes_lib.notes_of_tokens(
      tokenizer.encode_midi(midi_cases.to_bytes([[on(64, 90), off(
          64, 480)]]))).velocity[0]


def test_random_streams_exercise_one_key_per_pitch():
  """The identity tests above meet overlapping same-pitch notes."""
  overlapping = 0
  for seed in range(0, 120, 7):
    data = synthetic_midi.random_midi(seed, num_tracks=1 + seed % 4,
                                      events_per_track=40 + seed)
    sequence = midi_reference.midi_bytes_to_note_sequence(data)
    by_pitch = {}
    for note in sequence.notes:
      by_pitch.setdefault(note.pitch, []).append(
          (note.start_time, note.end_time))
    for spans in by_pitch.values():
      spans.sort()
      overlapping += sum(b[0] < a[1] for a, b in zip(spans, spans[1:]))
    tokens = tokenizer.encode_midi(data)
    np.testing.assert_array_equal(notes_lib.one_key_tokens(tokens), tokens)
  assert overlapping > 10


def test_setup_py_pins_the_mirrored_versions():
  setup_py = os.path.join(os.path.dirname(__file__), '..', 'setup.py')
  tree = ast.parse(open(setup_py).read())
  required = next(
      ast.literal_eval(node.value) for node in ast.walk(tree)
      if isinstance(node, ast.Assign)
      and getattr(node.targets[0], 'id', '') == 'REQUIRED_PACKAGES')
  for package, spec in smf_reader.MIRRORED_VERSIONS.items():
    assert package + spec in required, (package, spec)
  assert smf_reader.mirrored_versions_installed()


def test_other_versions_take_the_reference_path(monkeypatch):
  data = synthetic_midi.random_midi(3)
  expected = tokenizer.encode_midi(data)
  monkeypatch.setattr(smf_reader, '_MIRRORS_INSTALLED', False)
  with pytest.raises(smf_reader.FastPathUnsupported, match='outside'):
    smf_reader.read_notes(data)
  np.testing.assert_array_equal(tokenizer.encode_midi(data), expected)
