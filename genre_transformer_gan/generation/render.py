"""Tokens -> things people look at and listen to: piano rolls and audio.

`synthesize` plays tokens for TensorBoard with audio.py's renderers (the
General MIDI soundfont: FluidSynth or the midirenderer wheel, no system
package needed). `piano_roll` draws the notes with matplotlib (no display
needed).
"""

import io
from typing import Optional

import note_seq
import numpy as np

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.generation import audio as audio_lib

SAMPLE_RATE = 16000


def synthesize(tokens, sample_rate: int = SAMPLE_RATE,
               max_seconds: float = 30.0) -> np.ndarray:
  """float32 [samples] in [-1, 1]: the first max_seconds of the tokens."""
  ns = tokenizer.tokens_to_note_sequence(tokens)
  if ns.total_time > max_seconds:
    ns = note_seq.sequences_lib.trim_note_sequence(ns, 0.0, max_seconds)
  if not ns.notes:
    return np.zeros([sample_rate // 10], np.float32)
  audio = audio_lib.synthesize(ns, 'auto', sample_rate)
  return audio[:int(max_seconds * sample_rate)]


def piano_roll(tokens, title: str = '', path=None,
               boundary_seconds: Optional[float] = None) -> np.ndarray:
  """uint8 [H, W, 4] RGBA image of the notes (time x pitch, velocity shade).

  Args:
    tokens: int [length] event tokens.
    title: the plot's title (default: the note count).
    path: also write the PNG there.
    boundary_seconds: draw a line there (e.g. where a primer ends and the
      generated continuation starts).
  """
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use('Agg')
  from matplotlib import pyplot as plt  # pylint: disable=import-outside-toplevel
  from matplotlib import collections  # pylint: disable=import-outside-toplevel
  ns = tokenizer.tokens_to_note_sequence(tokens)
  figure, axes = plt.subplots(figsize=(10, 4))
  # One collection of rectangles, not an artist per note (2x faster).
  boxes = [((n.start_time, n.pitch - 0.4), (n.end_time, n.pitch - 0.4),
            (n.end_time, n.pitch + 0.4), (n.start_time, n.pitch + 0.4))
           for n in ns.notes]
  axes.add_collection(collections.PolyCollection(
      boxes, facecolors=plt.cm.viridis(
          np.array([n.velocity for n in ns.notes], np.float32) / 127),
      edgecolors='none'))
  pitches = [n.pitch for n in ns.notes] or [60]
  end = max(ns.total_time, boundary_seconds or 0.0, 1.0)
  if boundary_seconds is not None:
    axes.axvline(boundary_seconds, color='crimson', linestyle='--')
    axes.text(boundary_seconds, 0.98, ' continuation', color='crimson',
              transform=axes.get_xaxis_transform(), va='top')
  axes.set_xlim(0, end)
  axes.set_ylim(min(pitches) - 2, max(pitches) + 2)
  axes.set_xlabel('seconds')
  axes.set_ylabel('MIDI pitch')
  axes.set_title(title or f'{len(ns.notes)} notes')
  figure.tight_layout()
  buffer = io.BytesIO()
  figure.savefig(buffer, format='png', dpi=80)
  plt.close(figure)
  data = buffer.getvalue()
  if path is not None:
    atomic_files.write_bytes(path, data)
  image = matplotlib.image.imread(io.BytesIO(data), format='png')
  return (image * 255).astype(np.uint8)
