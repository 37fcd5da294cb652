"""Generated MIDI for tests, dummy data and benchmarks (no downloads).

`random_midi` writes adversarial event streams (the tokenizer's edge cases);
`style_midi` writes short pieces whose note statistics differ by genre so that
a classifier has something to learn from in tests.
"""

import io

import mido
import numpy as np


def _to_bytes(midi_file: mido.MidiFile) -> bytes:
  buffer = io.BytesIO()
  midi_file.save(file=buffer)
  return buffer.getvalue()


def random_midi(seed: int, num_tracks: int = 3, events_per_track: int = 200,
                ticks_per_beat: int = 480) -> bytes:
  """A type-1 MIDI file with a random stream of the tricky events.

  Overlapping same-pitch notes, note-on/off at the same tick, velocity 1 and
  127, long rests, tempo changes (also on non-zero tracks), sustain pedal on
  and off, program changes between notes, control changes before any note,
  pitch bends, drums on channel 10, sysex and text meta events.
  """
  rng = np.random.default_rng(seed)
  midi_file = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
  for track_index in range(num_tracks):
    track = mido.MidiTrack()
    midi_file.tracks.append(track)
    if track_index == 0:
      track.append(mido.MetaMessage('set_tempo', tempo=500000, time=0))
      track.append(mido.MetaMessage('time_signature', numerator=3,
                                    denominator=4, time=0))
      track.append(mido.MetaMessage('key_signature', key='Eb', time=0))
    track.append(mido.MetaMessage('track_name', name=f'track {track_index}'))
    channels = rng.choice(16, size=2, replace=False)
    if rng.random() < 0.3:
      channels[0] = 9
    for _ in range(events_per_track):
      delta = int(rng.choice([0, 0, 1, 10, 120, 240, 480,
                              int(rng.integers(1, 5000))]))
      channel = int(rng.choice(channels))
      pitch = int(rng.choice([60, 62, 64, int(rng.integers(0, 128))]))
      kind = rng.random()
      if kind < 0.35:
        velocity = int(rng.choice([1, 127, int(rng.integers(1, 128))]))
        track.append(mido.Message('note_on', channel=channel, note=pitch,
                                  velocity=velocity, time=delta))
      elif kind < 0.6:
        if rng.random() < 0.5:
          track.append(mido.Message('note_off', channel=channel, note=pitch,
                                    velocity=64, time=delta))
        else:
          track.append(mido.Message('note_on', channel=channel, note=pitch,
                                    velocity=0, time=delta))
      elif kind < 0.72:
        value = int(rng.choice([0, 63, 64, 127]))
        track.append(mido.Message('control_change', channel=channel,
                                  control=64, value=value, time=delta))
      elif kind < 0.78:
        track.append(mido.Message('control_change', channel=channel,
                                  control=int(rng.integers(0, 120)),
                                  value=int(rng.integers(0, 128)), time=delta))
      elif kind < 0.84:
        track.append(mido.Message('program_change', channel=channel,
                                  program=int(rng.integers(0, 128)),
                                  time=delta))
      elif kind < 0.88:
        track.append(mido.Message('pitchwheel', channel=channel,
                                  pitch=int(rng.integers(-8192, 8192)),
                                  time=delta))
      elif kind < 0.93:
        track.append(mido.MetaMessage(
            'set_tempo', tempo=int(rng.integers(200000, 1500000)),
            time=delta))
      elif kind < 0.96:
        track.append(mido.Message('sysex', data=[0x7e, 0x7f, 0x09, 0x01],
                                  time=delta))
      else:
        track.append(mido.MetaMessage('text', text='x', time=delta))
  return _to_bytes(midi_file)


# Genre "styles" for synthetic data: (scale, tempo range, note length in
# beats, velocity range, pitch centre, chord probability).
_STYLES = {
    0: ((0, 2, 4, 5, 7, 9, 11), (60, 90), (1.0, 2.0), (40, 80), 60, 0.6),
    1: ((0, 2, 4, 7, 9), (100, 140), (0.25, 0.5), (70, 110), 72, 0.1),
    2: ((0, 2, 3, 5, 7, 8, 10), (50, 70), (2.0, 4.0), (30, 60), 55, 0.8),
    3: ((0, 3, 5, 6, 7, 10), (80, 120), (0.5, 1.0), (80, 127), 48, 0.3),
}


def style_midi(style: int, seed: int, num_notes: int = 120,
               ticks_per_beat: int = 480, program: int = 0,
               with_drums: bool = False, num_tracks: int = 1) -> bytes:
  """A piece in one of four synthetic styles (0..3).

  With `num_tracks` > 1 the notes are shared among that many instrument
  tracks that play at once (programs `program`, `program` + 8, ...), one
  octave band apart, as in a multi-track Lakh file; the piece then lasts
  about 1 / num_tracks as long for the same number of notes.
  """
  scale, tempo_range, lengths, velocities, centre, chord_p = _STYLES[style % 4]
  rng = np.random.default_rng([style, seed])
  bpm = rng.uniform(*tempo_range)
  midi_file = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
  meta = mido.MidiTrack([mido.MetaMessage('set_tempo',
                                          tempo=mido.bpm2tempo(bpm))])
  midi_file.tracks.append(meta)
  key = int(rng.integers(0, 12))
  for voice in range(num_tracks):
    events = []  # (tick, order, message)
    tick = 0
    shift = 12 * (voice % 3 - 1) if num_tracks > 1 else 0
    channel = voice % 9  # never the drum channel
    voice_notes = (num_notes // num_tracks +
                   (voice < num_notes % num_tracks))
    for _ in range(voice_notes):
      length = int(rng.choice(lengths) * ticks_per_beat)
      degree = int(rng.integers(0, len(scale)))
      octave = int(rng.integers(-1, 2))
      pitches = [centre + shift + key + scale[degree] + 12 * octave]
      if rng.random() < chord_p:
        pitches.append(pitches[0] + scale[(degree + 2) % len(scale)] -
                       scale[degree] + (12 if degree + 2 >= len(scale) else 0))
      velocity = int(rng.integers(*velocities))
      for pitch in pitches:
        pitch = int(min(max(pitch, 21), 108))
        events.append((tick, 1, mido.Message('note_on', channel=channel,
                                             note=pitch, velocity=velocity)))
        events.append((tick + length, 0, mido.Message(
            'note_off', channel=channel, note=pitch)))
      if with_drums and voice == 0:
        events.append((tick, 1, mido.Message('note_on', channel=9, note=36,
                                             velocity=100)))
        events.append((tick + 60, 0, mido.Message('note_off', channel=9,
                                                  note=36)))
      tick += length
    track = mido.MidiTrack([mido.Message(
        'program_change', channel=channel,
        program=(program + 8 * voice) % 128)])
    last = 0
    for event_tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
      track.append(message.copy(time=event_tick - last))
      last = event_tick
    midi_file.tracks.append(track)
  return _to_bytes(midi_file)


def drums_only_midi(num_hits: int = 16, ticks_per_beat: int = 480) -> bytes:
  """A file whose only notes are on the drum channel (channel 10)."""
  track = mido.MidiTrack()
  for i in range(num_hits):
    track.append(mido.Message('note_on', channel=9, note=36 + i % 4,
                              velocity=100, time=0 if i == 0 else 120))
    track.append(mido.Message('note_off', channel=9, note=36 + i % 4,
                              time=120))
  return _to_bytes(mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat,
                                 tracks=[track]))


def _notes_track(pitches, step: int, length: int, first_delta: int = 0):
  """note_on/note_off pairs, one note every `step` ticks."""
  track = mido.MidiTrack()
  for i, pitch in enumerate(pitches):
    track.append(mido.Message('note_on', note=int(pitch), velocity=80,
                              time=first_delta if i == 0 else step - length))
    track.append(mido.Message('note_off', note=int(pitch), time=length))
  return track


def _with_tempo(data: bytes, tempo: int) -> bytes:
  midi_file = mido.MidiFile(file=io.BytesIO(data))
  for track in midi_file.tracks:
    for message in track:
      if message.type == 'set_tempo':
        message.tempo = tempo
  return _to_bytes(midi_file)


def bad_midi_files(seed: int = 0):
  """{name: (bytes, the builders' skip reason)}: files a build must survive.

  One of each kind of bad input in example_lib.SKIP_REASONS' terms:
  truncated, random bytes, a wrong header, zero length, SMF format 2, absurd
  tempi (3.6 and 60 million qpm), 100,000 notes, only drums, no notes, and
  an hour of silence between two notes.
  """
  rng = np.random.default_rng(seed)
  good = style_midi(0, seed=seed, num_notes=40)
  format_2 = mido.MidiFile(file=io.BytesIO(good))
  format_2.type = 2
  crowded = mido.MidiFile(type=1, ticks_per_beat=480, tracks=[_notes_track(
      60 + np.arange(100_000) % 24, step=10, length=5)])
  silent_hour = mido.MidiFile(type=1, ticks_per_beat=480, tracks=[
      _notes_track([60, 62], step=480 * 2 * 3600, length=480)])  # 120 qpm
  return {
      'truncated': (good[:len(good) // 2], 'unreadable'),
      'random_bytes': (bytes(rng.integers(0, 256, 300, dtype=np.uint8)),
                       'unreadable'),
      'wrong_header': (b'RIFF' + good[4:], 'unreadable'),
      'zero_length': (b'', 'unreadable'),
      'format_2': (_to_bytes(format_2), 'unsupported_format'),
      'tempo_too_slow': (_with_tempo(good, 0xFFFFFF), 'absurd_tempo'),
      'tempo_too_fast': (_with_tempo(good, 1), 'absurd_tempo'),
      'many_notes': (_to_bytes(crowded), 'too_many_notes'),
      'only_drums': (drums_only_midi(num_hits=17), 'only_drums'),
      'no_notes': (style_midi(1, seed=seed, num_notes=0), 'no_notes'),
      'hour_of_silence': (_to_bytes(silent_hour), 'long_silence'),
  }
