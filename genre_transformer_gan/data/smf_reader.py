"""A lean Standard MIDI File reader with pretty_midi's note semantics.

`read_notes(midi_bytes)` returns the notes (and sustain-pedal events) that
`note_seq.midi_to_note_sequence` would produce, without building mido
message objects, pretty_midi containers, a per-tick time table, or protos.
It mirrors, rule for rule:

  * mido 1.3's byte reader: chunk headers, variable-length quantities,
    running status, data bytes <= 127, the 1,000,000-byte message limit,
    the "track ends exactly at its declared size" rule, and meta-message
    decoding (done by mido's own `build_meta_message`, so its errors are
    the same, and so is its dropping of unknown meta messages' delta time);
  * pretty_midi 0.2's loader: tempo only from track 0 (a tempo at tick 0
    resets the map, repeated tempi are ignored), note-on/off pairing per
    (channel, pitch) within a track (one note-off closes every open note
    from an earlier tick, same-tick note-ons are kept or dropped as there),
    instruments keyed by (program at note-off, channel, track) and ordered by
    first closed note, "straggler" control-change lists shared between the
    instruments of a (channel, track);
  * note_seq's checks (time-signature denominator fits in int32).

Anything it does not handle exactly (system common/real-time messages,
running status after sysex, a non-positive division) raises
`FastPathUnsupported`; any error at all sends the caller back to the
reference recipe, which then decides. So the fast path can only ever agree
with the reference; tests/test_tokenizer_identity.py checks that it does.

The mirrored rules belong to particular releases, so `MIRRORED_VERSIONS`
names the range the identity tests were run on (setup.py requires the same
range). With any other installed version the fast path stands aside and every
file takes the reference recipe.
"""

from importlib import metadata
import struct
from typing import NamedTuple

from mido.midifiles import meta as mido_meta
import note_seq  # pylint: disable=unused-import  (sets pretty_midi's MAX_TICK)
import numpy as np
from pretty_midi import pretty_midi

# The releases whose rules this module mirrors; setup.py pins the same ranges.
MIRRORED_VERSIONS = {'mido': '>=1.3.0,<1.4', 'pretty_midi': '>=0.2.11,<0.3'}


def mirrored_versions_installed() -> bool:
  """True when the installed mido and pretty_midi are in MIRRORED_VERSIONS."""
  from packaging import specifiers  # pylint: disable=g-import-not-at-top
  for package, spec in MIRRORED_VERSIONS.items():
    try:
      version = metadata.version(package)
    except metadata.PackageNotFoundError:
      return False
    if version not in specifiers.SpecifierSet(spec):
      return False
  return True


_MIRRORS_INSTALLED = mirrored_versions_installed()
_MAX_MESSAGE_LENGTH = 1000000  # mido.midifiles.midifiles.MAX_MESSAGE_LENGTH
_INT32_MAX = 2**31 - 1
_SUSTAIN_CC = 64

class FastPathUnsupported(Exception):
  """The file uses a feature the fast reader leaves to the reference."""


class MidiNotes(NamedTuple):
  """Notes in note_seq's order (instrument by instrument).

  Attributes:
    start: float64 [n] seconds.
    end: float64 [n] seconds.
    pitch: int64 [n].
    velocity: int64 [n].
    instrument: int64 [n] instrument index (pretty_midi order).
    is_drum: bool [n].
    cc_instrument: int64 [m] instrument of each sustain (CC 64) event, in
      note_seq's control-change order.
    cc_time: float64 [m] seconds.
    cc_value: int64 [m].
    qpm: float64 [k] the tempo map's quarter notes per minute (pretty_midi's
      get_tempo_changes: track 0 only, 120 until its first tempo).
  """
  start: np.ndarray
  end: np.ndarray
  pitch: np.ndarray
  velocity: np.ndarray
  instrument: np.ndarray
  is_drum: np.ndarray
  cc_instrument: np.ndarray
  cc_time: np.ndarray
  cc_value: np.ndarray
  qpm: np.ndarray


def _tick_to_time(ticks, tick_scales):
  """pretty_midi's tick->seconds map, evaluated only at `ticks`.

  pretty_midi fills `last_end_time + tick_scale * arange(...)` per tempo
  segment; the same float64 operations are done here per tick.
  """
  seg_tick = np.array([t for t, _ in tick_scales], dtype=np.int64)
  seg_scale = np.array([s for _, s in tick_scales], dtype=np.float64)
  seg_offset = np.zeros(len(tick_scales), dtype=np.float64)
  last_end_time = 0
  for i in range(len(tick_scales) - 1):
    span = np.float64(seg_tick[i + 1] - seg_tick[i])
    last_end_time = last_end_time + seg_scale[i] * span
    seg_offset[i + 1] = last_end_time
  ticks = np.asarray(ticks, dtype=np.int64)
  seg = np.searchsorted(seg_tick, ticks, side='right') - 1
  return seg_offset[seg] + seg_scale[seg] * (ticks - seg_tick[seg]).astype(
      np.float64)


def _read_length_prefixed(data: bytes, pos: int):
  """A variable-length quantity then that many bytes (meta, sysex), as mido.

  Returns:
    (payload bytes, position after it).
  """
  byte = data[pos]
  pos += 1
  length = byte & 0x7f
  while byte & 0x80:
    byte = data[pos]
    pos += 1
    length = (length << 7) | (byte & 0x7f)
  if length > _MAX_MESSAGE_LENGTH:
    raise ValueError('message too long')
  payload = data[pos:pos + length]
  if len(payload) < length:
    raise EOFError
  return payload, pos + length


def read_notes(data: bytes) -> MidiNotes:
  """Parses MIDI bytes into note arrays, exactly as note_seq would.

  Raises:
    Exception: any failure (the caller falls back to the reference recipe).
  """
  if not _MIRRORS_INSTALLED:
    raise FastPathUnsupported(
        f'installed mido/pretty_midi are outside {MIRRORED_VERSIONS}')
  n = len(data)
  if n < 8 or data[:4] != b'MThd':
    raise ValueError('MThd not found')
  header_size = struct.unpack('>L', data[4:8])[0]
  if len(data[8:8 + header_size]) < 6:
    raise EOFError
  _, num_tracks, resolution = struct.unpack('>hhh', data[8:14])
  if resolution <= 0:
    raise FastPathUnsupported('non-positive division')
  if num_tracks <= 0:
    raise ValueError('no tracks')
  pos = min(8 + header_size, n)

  tick_scales = [(0, 60.0 / (120.0 * resolution))]
  max_tick = 0
  # Instruments, keyed as pretty_midi keys them.
  instrument_map = {}      # (program, channel, track) -> instrument index
  instrument_ccs = []      # instrument index -> list of (tick, value), maybe shared
  instrument_drum = []
  stragglers = {}          # (channel, track) -> list of (tick, value)
  # Closed notes in creation order.
  note_instrument, note_start, note_end, note_pitch, note_velocity = (
      [], [], [], [], [])

  def get_ccs(program, channel, track):
    """pretty_midi's __get_instrument(..., create_new=0): its CC list."""
    index = instrument_map.get((program, channel, track))
    if index is not None:
      return instrument_ccs[index]
    straggler = stragglers.get((channel, track))
    if straggler is None:
      straggler = stragglers[(channel, track)] = []
    return straggler

  for track in range(num_tracks):
    if data[pos:pos + 4] != b'MTrk' or pos + 8 > n:
      raise ValueError('no MTrk header at start of track')
    size = struct.unpack('>L', data[pos + 4:pos + 8])[0]
    pos += 8
    start = pos
    tick = 0
    num_events = 0
    last_status = None
    program = [0] * 16
    open_notes = {}
    while pos - start != size:
      # The delta time, read inline rather than by a helper like
      # _read_length_prefixed: this is the once-per-event hot path.
      byte = data[pos]
      pos += 1
      delta = byte & 0x7f
      while byte & 0x80:
        byte = data[pos]
        pos += 1
        delta = (delta << 7) | (byte & 0x7f)
      tick += delta
      num_events += 1
      status = data[pos]
      pos += 1
      if status < 0x80:
        if last_status is None:
          raise ValueError('running status without last_status')
        if last_status >= 0xf0:
          raise FastPathUnsupported('running status after a system message')
        data1 = status
        status = last_status
      elif status < 0xf0:
        last_status = status
        data1 = data[pos]
        pos += 1
      elif status == 0xff:
        meta_type = data[pos]
        payload, pos = _read_length_prefixed(data, pos + 1)
        msg = mido_meta.build_meta_message(meta_type, list(payload), delta)
        # mido builds unknown meta messages without their delta time.
        tick += msg.time - delta
        if track == 0:
          if msg.type == 'set_tempo':
            tick_scale = 60.0 / ((6e7 / msg.tempo) * resolution)
            if tick == 0:
              tick_scales = [(0, tick_scale)]
            elif tick_scale != tick_scales[-1][1]:
              tick_scales.append((tick, tick_scale))
          elif msg.type == 'time_signature':
            if msg.numerator <= 0 or msg.denominator > _INT32_MAX:
              raise ValueError('invalid time signature')
        continue
      elif status == 0xf0 or status == 0xf7:
        last_status = status
        payload, pos = _read_length_prefixed(data, pos)
        if payload[:1] == b'\xf0':
          payload = payload[1:]
        if payload[-1:] == b'\xf7':
          payload = payload[:-1]
        if payload and max(payload) > 127:
          raise ValueError('sysex data byte out of range')
        continue
      else:
        raise FastPathUnsupported('system common or real-time message')

      if data1 > 127:
        raise ValueError('data byte must be in range 0..127')
      kind = status & 0xf0
      channel = status & 0x0f
      if kind == 0xc0:
        program[channel] = data1
        continue
      if kind == 0xd0:
        continue
      data2 = data[pos]
      pos += 1
      if data2 > 127:
        raise ValueError('data byte must be in range 0..127')
      if kind == 0x90 and data2 > 0:
        key = (channel, data1)
        opened = open_notes.get(key)
        if opened is None:
          open_notes[key] = [(tick, data2)]
        else:
          opened.append((tick, data2))
      elif kind == 0x80 or kind == 0x90:
        key = (channel, data1)
        opened = open_notes.get(key)
        if opened is None:
          continue
        to_close = [o for o in opened if o[0] != tick]
        if to_close:
          instrument_key = (program[channel], channel, track)
          index = instrument_map.get(instrument_key)
          if index is None:
            index = instrument_map[instrument_key] = len(instrument_ccs)
            straggler = stragglers.get((channel, track))
            instrument_ccs.append([] if straggler is None else straggler)
            instrument_drum.append(channel == 9)
          for note_on_tick, velocity in to_close:
            note_instrument.append(index)
            note_start.append(note_on_tick)
            note_end.append(tick)
            note_pitch.append(data1)
            note_velocity.append(velocity)
          if len(to_close) < len(opened):
            open_notes[key] = [o for o in opened if o[0] == tick]
            continue
        del open_notes[key]
      elif kind == 0xb0:
        ccs = get_ccs(program[channel], channel, track)
        if data1 == _SUSTAIN_CC:
          ccs.append((tick, data2))
      elif kind == 0xe0:
        get_ccs(program[channel], channel, track)
    if num_events == 0:
      raise ValueError('empty track')
    max_tick = max(max_tick, tick)
  if max_tick + 1 > pretty_midi.MAX_TICK:
    raise ValueError('MIDI file has a largest tick of %d' % (max_tick + 1))

  note_instrument = np.array(note_instrument, dtype=np.int64)
  order = np.argsort(note_instrument, kind='stable')
  ticks = np.concatenate([np.array(note_start, dtype=np.int64)[order],
                          np.array(note_end, dtype=np.int64)[order]])
  cc_instrument, cc_tick, cc_value = [], [], []
  for index, ccs in enumerate(instrument_ccs):
    for cc in ccs:
      cc_instrument.append(index)
      cc_tick.append(cc[0])
      cc_value.append(cc[1])
  times = _tick_to_time(np.concatenate([ticks, np.array(cc_tick, np.int64)]),
                        tick_scales)
  num_notes = len(note_instrument)
  note_instrument = note_instrument[order]
  return MidiNotes(
      start=times[:num_notes],
      end=times[num_notes:2 * num_notes],
      pitch=np.array(note_pitch, dtype=np.int64)[order],
      velocity=np.array(note_velocity, dtype=np.int64)[order],
      instrument=note_instrument,
      is_drum=np.array(instrument_drum, dtype=bool)[note_instrument]
      if num_notes else np.zeros(0, bool),
      cc_instrument=np.array(cc_instrument, dtype=np.int64),
      cc_time=times[2 * num_notes:],
      cc_value=np.array(cc_value, dtype=np.int64),
      qpm=np.array([60.0 / (scale * resolution) for _, scale in tick_scales]))

