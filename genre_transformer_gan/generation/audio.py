"""NoteSequence -> WAV: FluidSynth with a General MIDI soundfont, or sines.

FluidSynth goes through note_seq (`note_seq.midi_synth.fluidsynth`, i.e.
pretty_midi's renderer) with the soundfont pretty_midi ships (TimGM6mb.sf2)
unless another is given. It needs the pyfluidsynth package and the system
library (Debian: `apt-get install libfluidsynth3`); `fluidsynth_status()`
says whether both are there. The sine synthesiser (note_seq's) needs
nothing and is the fallback a caller may choose.

pretty_midi renders one second of silence after the last note-off; the WAV
keeps a release tail of at most RELEASE_SECONDS and at most
RELEASE_FRACTION of the music's length, faded out, so its length is the
MIDI's within 5%.
"""

import functools
import os
import wave
from typing import Optional, Tuple

import note_seq
import numpy as np

SYNTHS = ('fluidsynth', 'sine', 'none')
DEFAULT_SAMPLE_RATE = 22050
RELEASE_SECONDS = 0.5
RELEASE_FRACTION = 0.05
FADE_SECONDS = 0.05
INSTALL_HINT = ('install it with `apt-get install libfluidsynth3` and '
                '`pip install pyfluidsynth`, or pass --synth=sine')


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


def synthesize(sequence, synth: str = 'fluidsynth',
               sample_rate: int = DEFAULT_SAMPLE_RATE,
               soundfont: Optional[str] = None) -> np.ndarray:
  """float32 [samples] in [-1, 1] (peak 0.9): the NoteSequence played.

  Args:
    sequence: a NoteSequence.
    synth: 'fluidsynth' or 'sine'.
    sample_rate: Hz.
    soundfont: a .sf2 file for FluidSynth (default: TimGM6mb.sf2).

  Raises:
    RuntimeError: synth='fluidsynth' but FluidSynth is not installed.
    ValueError: an unknown synth.
  """
  if synth == 'fluidsynth':
    available, reason = fluidsynth_status()
    if not available:
      raise RuntimeError(f'{reason}; {INSTALL_HINT}.')
    audio = note_seq.midi_synth.fluidsynth(sequence, sample_rate,
                                           sf2_path=soundfont)
  elif synth == 'sine':
    audio = note_seq.midi_synth.synthesize(sequence, sample_rate=sample_rate)
  else:
    raise ValueError(f'Unknown synth {synth!r}; choose fluidsynth or sine.')
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
  with wave.open(os.fspath(path), 'wb') as f:
    f.setnchannels(1)
    f.setsampwidth(2)
    f.setframerate(sample_rate)
    f.writeframes(pcm.tobytes())


def read_wav(path) -> Tuple[np.ndarray, int]:
  """(float32 [samples] in [-1, 1], sample rate) of a 16-bit mono WAV."""
  with wave.open(os.fspath(path), 'rb') as f:
    rate, frames = f.getframerate(), f.readframes(f.getnframes())
  return np.frombuffer(frames, '<i2').astype(np.float32) / 32767, rate
