"""Hand-written MIDI files for the tokenizer's edge cases."""

import io
import struct

import mido


def to_bytes(tracks, ticks_per_beat=480, midi_type=1):
  midi_file = mido.MidiFile(type=midi_type, ticks_per_beat=ticks_per_beat)
  for messages in tracks:
    midi_file.tracks.append(mido.MidiTrack(messages))
  buffer = io.BytesIO()
  midi_file.save(file=buffer)
  return buffer.getvalue()


def on(note, velocity=80, time=0, channel=0):
  return mido.Message('note_on', note=note, velocity=velocity, time=time,
                      channel=channel)


def off(note, time=0, channel=0):
  return mido.Message('note_off', note=note, time=time, channel=channel)


def cc(control, value, time=0, channel=0):
  return mido.Message('control_change', control=control, value=value,
                      time=time, channel=channel)


def raw_track(body: bytes) -> bytes:
  return b'MTrk' + struct.pack('>L', len(body)) + body


def raw_file(*tracks: bytes, division=480) -> bytes:
  return (b'MThd' + struct.pack('>LHHH', 6, 1, len(tracks), division)
          + b''.join(tracks))


def edge_cases():
  """{name: MIDI bytes}."""
  tempo = lambda bpm, time=0: mido.MetaMessage(  # noqa: E731
      'set_tempo', tempo=mido.bpm2tempo(bpm), time=time)
  cases = {
      'overlapping_same_pitch': to_bytes([[
          on(60), on(60, 100, 240), off(60, 240), off(60, 240), on(60, 50, 0),
          on(60, 60, 0), off(60, 480)]]),
      'note_on_off_same_tick': to_bytes([[on(62), off(62), on(64, time=10),
                                          off(64, 0), off(64, 480)]]),
      'zero_length_and_retrigger': to_bytes([[on(60), off(60, 0), on(60, 90, 0),
                                              off(60, 1)]]),
      'rest_over_one_second': to_bytes([[on(60), off(60, 240), on(62, time=2400),
                                         off(62, 240), on(64, time=48000),
                                         off(64, 100)]]),
      'velocity_1_and_127': to_bytes([[on(60, 1), off(60, 240), on(61, 127),
                                       off(61, 240), on(62, 127), off(62, 1)]]),
      'tempo_changes': to_bytes([[tempo(90), on(60), off(60, 480),
                                  tempo(200, 0), on(62), off(62, 480),
                                  tempo(200, 10), tempo(45, 0), on(64, time=7),
                                  off(64, 333)]]),
      'tempo_on_other_track': to_bytes([[tempo(100)], [on(60), tempo(150, 200),
                                                       off(60, 300)]]),
      'sustain_pedal': to_bytes([[
          cc(64, 127), on(60), off(60, 100), on(60, 70, 100), off(60, 10),
          on(64, time=50), cc(64, 0, 200), off(64, 300), cc(64, 100, 10),
          on(67), on(67, 90, 0), off(67, 20), on(72, time=10)]]),
      'sustain_never_released': to_bytes([[cc(64, 127), on(60), off(60, 50),
                                           on(62, time=10), off(62, 10)]]),
      'cc_before_notes_and_program_changes': to_bytes([[
          cc(64, 127, channel=1), cc(7, 100, channel=1), on(50, channel=1),
          off(50, 100, channel=1),
          mido.Message('program_change', program=40, channel=1),
          cc(64, 0, 5, channel=1), on(52, time=5, channel=1),
          off(52, 100, channel=1), cc(64, 127, channel=1),
          on(53, channel=1), off(53, 50, channel=1)]]),
      'several_instruments': to_bytes([
          [tempo(110)],
          [mido.Message('program_change', program=0), on(60), off(60, 480)],
          [mido.Message('program_change', program=33, channel=2),
           on(40, channel=2), off(40, 960, channel=2)],
          [on(72, channel=5), on(76, channel=5, time=120),
           off(72, 120, channel=5), off(76, 120, channel=5)]]),
      'drums': to_bytes([[on(36, channel=9), off(36, 60, channel=9), on(60),
                          on(38, channel=9, time=60), off(38, 60, channel=9),
                          off(60, 100)]]),
      'only_drums': to_bytes([[on(36, channel=9), off(36, 60, channel=9)]]),
      'no_notes': to_bytes([[cc(7, 90)]]),
      'unknown_meta_with_delta': raw_file(raw_track(
          b'\x00\x90\x3c\x40' + b'\x81\x70\xff\x46\x01\x78' +
          b'\x60\x80\x3c\x40' + b'\x00\xff\x2f\x00')),
      'running_status_after_sysex': raw_file(raw_track(
          b'\x00\x90\x3c\x40\x00\xf0\x02\x7e\xf7\x10\x05\x7f\xf7'
          b'\x00\x80\x3c\x40\x00\xff\x2f\x00')),
      'realtime_byte': raw_file(raw_track(
          b'\x00\x90\x3c\x40\x00\xf8\x10\x80\x3c\x40\x00\xff\x2f\x00')),
      'running_status': raw_file(raw_track(
          b'\x00\x90\x3c\x40\x10\x3e\x40\x10\x3c\x00\x10\x3e\x00\x00\xff\x2f'
          b'\x00')),
      'smpte_division': raw_file(raw_track(
          b'\x00\x90\x3c\x40\x10\x80\x3c\x40\x00\xff\x2f\x00'),
                                 division=0xE728),
      'zero_division': raw_file(raw_track(b'\x00\x90\x3c\x40\x10\x80\x3c\x40'),
                                division=0),
      'truncated': to_bytes([[on(60), off(60, 480)]])[:-5],
      'not_midi': b'RIFF....WAVEfmt ' + bytes(100),
      'empty_track': raw_file(raw_track(b'')),
      'time_signature_numerator_0': raw_file(raw_track(
          b'\x00\xff\x58\x04\x00\x02\x18\x08\x00\x90\x3c\x40\x10\x80\x3c\x40')),
      'data_byte_over_127': raw_file(raw_track(b'\x00\x90\x3c\xc0\x10\x80\x3c'
                                               b'\x40')),
  }
  return cases
