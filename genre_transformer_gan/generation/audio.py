"""NoteSequence -> WAV with a General MIDI soundfont, or sines.

Renderers (`synth`):

  auto        fluidsynth where its system library is installed, else
              soundfont: a WAV right after `pip install`, on any machine.
  fluidsynth  FluidSynth through note_seq (`note_seq.midi_synth.fluidsynth`,
              pretty_midi's renderer). Needs pyfluidsynth and the system
              library (Debian: `apt-get install libfluidsynth3`);
              `fluidsynth_status()` says whether both are there.
  soundfont   midirenderer, a SoundFont renderer in one abi3 wheel with no
              system dependency (a pip requirement of this package).
  sine        note_seq's sine-wave synthesiser: needs nothing, sounds like
              nothing real; the last resort.

Both soundfont renderers use the General MIDI soundfont pretty_midi ships
(TimGM6mb.sf2) unless another .sf2 is given.

Renderers add silence or release after the last note-off; the WAV keeps a
release tail of at most RELEASE_SECONDS and at most RELEASE_FRACTION of the
music's length, faded out, so its length is the MIDI's within 5%.
"""

import functools
import io
import os
import wave
from typing import Optional, Tuple

import note_seq
import numpy as np
import pretty_midi
from scipy import signal

from genre_transformer_gan import atomic_files
from genre_transformer_gan import choices

SYNTHS = choices.SYNTHS
DEFAULT_SAMPLE_RATE = choices.DEFAULT_SAMPLE_RATE
RELEASE_SECONDS = 0.5
RELEASE_FRACTION = 0.05
FADE_SECONDS = 0.05
INSTALL_HINT = ('install it with `apt-get install libfluidsynth3` and '
                '`pip install pyfluidsynth`, or pass --synth=soundfont')
DEFAULT_SOUNDFONT = os.path.join(os.path.dirname(pretty_midi.__file__),
                                 'TimGM6mb.sf2')


@functools.lru_cache(maxsize=None)
def fluidsynth_status() -> Tuple[bool, str]:
  """(available, why not): pyfluidsynth importable and libfluidsynth loaded."""
  try:
    import fluidsynth  # pylint: disable=import-outside-toplevel,unused-import
  except ImportError as e:
    return False, f'FluidSynth is not available ({e})'
  except OSError as e:  # pyfluidsynth found no libfluidsynth.
    return False, f'the FluidSynth library is not available ({e})'
  return True, ''


@functools.lru_cache(maxsize=None)
def soundfont_status() -> Tuple[bool, str]:
  """(available, why not): the midirenderer wheel importable."""
  try:
    import midirenderer  # pylint: disable=import-outside-toplevel,unused-import
  except ImportError as e:
    return False, f'midirenderer is not available ({e})'
  return True, ''


def resolve_synth(synth: str) -> Tuple[str, str]:
  """(the renderer to use, a line saying why it differs, or '').

  'auto' and an unavailable 'fluidsynth' become 'soundfont' (or 'sine'
  where midirenderer is missing too).
  """
  if synth not in SYNTHS:
    raise ValueError(f'Unknown synth {synth!r}; choose one of: '
                     f'{", ".join(SYNTHS)}.')
  if synth not in ('auto', 'fluidsynth') or fluidsynth_status()[0]:
    return ('fluidsynth' if synth == 'auto' else synth), ''
  reason = fluidsynth_status()[1]
  fallback = 'soundfont' if soundfont_status()[0] else 'sine'
  if synth == 'auto':
    return fallback, ''
  return fallback, (f'{reason}: rendering WAVs with --synth={fallback} '
                    f'instead ({INSTALL_HINT.split(", or")[0]}).')


def check_soundfont(path: str) -> None:
  """Refuses a --soundfont that is not a whole SoundFont 2 file: FluidSynth
  plays one it cannot load as loud noise, and midirenderer stops the run
  after its first sample.

  Raises:
    FileNotFoundError / ValueError: one line naming the fix.
  """
  fix = 'pass a .sf2 file or leave it out'
  if not os.path.isfile(path):
    raise FileNotFoundError(f'--soundfont={path} does not exist; {fix}.')
  with open(path, 'rb') as f:
    head = f.read(12)
  if head[:4] != b'RIFF' or head[8:12] != b'sfbk':
    why = 'empty' if not head else 'no RIFF sfbk header'
    raise ValueError(f'--soundfont={path} is not a SoundFont 2 file ({why}); '
                     f'{fix}.')
  expected = int.from_bytes(head[4:8], 'little') + 8
  if os.path.getsize(path) < expected:
    raise ValueError(f'--soundfont={path} is cut short '
                     f'({os.path.getsize(path)} of the {expected} bytes its '
                     f'header gives); {fix}.')


def _render_soundfont(sequence, sample_rate: int, soundfont: Optional[str]):
  """midirenderer's stereo 16-bit WAV of the sequence, as mono floats."""
  import midirenderer  # pylint: disable=import-outside-toplevel
  midi = io.BytesIO()
  note_seq.note_sequence_to_pretty_midi(sequence).write(midi)
  with open(soundfont or DEFAULT_SOUNDFONT, 'rb') as f:
    rendered = midirenderer.render_wave_from(f.read(), midi.getvalue())
  with wave.open(io.BytesIO(bytes(rendered)), 'rb') as f:
    rate, channels = f.getframerate(), f.getnchannels()
    frames = np.frombuffer(f.readframes(f.getnframes()), '<i2')
  mono = frames.reshape(-1, channels).astype(np.float32).mean(1) / 32767
  if rate == sample_rate:
    return mono
  divisor = np.gcd(rate, sample_rate)
  return signal.resample_poly(mono, sample_rate // divisor, rate // divisor)


def synthesize(sequence, synth: str = 'auto',
               sample_rate: int = DEFAULT_SAMPLE_RATE,
               soundfont: Optional[str] = None) -> np.ndarray:
  """float32 [samples] in [-1, 1] (peak 0.9): the NoteSequence played.

  Args:
    sequence: a NoteSequence.
    synth: one of SYNTHS except 'none' ('auto': resolve_synth).
    sample_rate: Hz.
    soundfont: a .sf2 file (default: TimGM6mb.sf2).

  Raises:
    RuntimeError: synth='fluidsynth' but FluidSynth is not installed, or
      synth='soundfont' without midirenderer.
    ValueError: an unknown synth.
  """
  if synth == 'auto':
    synth = resolve_synth(synth)[0]
  if synth == 'fluidsynth':
    available, reason = fluidsynth_status()
    if not available:
      raise RuntimeError(f'{reason}; {INSTALL_HINT}.')
    audio = note_seq.midi_synth.fluidsynth(sequence, sample_rate,
                                           sf2_path=soundfont)
  elif synth == 'soundfont':
    available, reason = soundfont_status()
    if not available:
      raise RuntimeError(f'{reason}; `pip install midirenderer`, or pass '
                         '--synth=sine.')
    audio = _render_soundfont(sequence, sample_rate, soundfont)
  elif synth == 'sine':
    # pretty_midi divides a silent rendering by its peak, 0: NaNs, which a
    # WAV would hold as full-scale clicks. Silence stays silence.
    with np.errstate(invalid='ignore', divide='ignore'):
      audio = np.nan_to_num(note_seq.midi_synth.synthesize(
          sequence, sample_rate=sample_rate))
  else:
    raise ValueError(f'Unknown synth {synth!r}; choose one of: '
                     f'{", ".join(s for s in SYNTHS if s != "none")}.')
  audio = np.asarray(audio, np.float32)
  release = min(RELEASE_SECONDS, RELEASE_FRACTION * sequence.total_time)
  end = int(np.ceil((sequence.total_time + release) * sample_rate))
  audio = np.pad(audio[:end], [0, max(0, end - len(audio))])
  fade = min(int(FADE_SECONDS * sample_rate), len(audio))
  if fade:
    audio[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
  peak = float(np.abs(audio).max()) if len(audio) else 0.0
  return audio / peak * 0.9 if peak > 0 else audio


def write_wav(path, audio: np.ndarray, sample_rate: int) -> None:
  """Writes float [-1, 1] mono audio as 16-bit PCM WAV."""
  pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype('<i2')
  with atomic_files.path(path) as temporary:
    with wave.open(temporary, 'wb') as f:
      f.setnchannels(1)
      f.setsampwidth(2)
      f.setframerate(sample_rate)
      f.writeframes(pcm.tobytes())


def read_wav(path) -> Tuple[np.ndarray, int]:
  """(float32 [samples] in [-1, 1], sample rate) of a 16-bit mono WAV."""
  with wave.open(os.fspath(path), 'rb') as f:
    rate, frames = f.getframerate(), f.readframes(f.getnframes())
  return np.frombuffer(frames, '<i2').astype(np.float32) / 32767, rate
