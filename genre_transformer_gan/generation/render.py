"""Tokens -> things people look at and listen to: piano rolls and audio.

`synthesize` uses note_seq's sine-wave synthesiser (no system packages);
`piano_roll` draws the notes with matplotlib (no display needed).
"""

import io

import note_seq
import numpy as np

from genre_transformer_gan.data import tokenizer

SAMPLE_RATE = 16000


def synthesize(tokens, sample_rate: int = SAMPLE_RATE,
               max_seconds: float = 30.0) -> np.ndarray:
  """float32 [samples] in [-1, 1]: the tokens played by sine waves."""
  ns = tokenizer.tokens_to_note_sequence(tokens)
  if not ns.notes:
    return np.zeros([sample_rate // 10], np.float32)
  audio = note_seq.midi_synth.synthesize(ns, sample_rate=sample_rate)
  audio = np.asarray(audio[:int(max_seconds * sample_rate)], np.float32)
  peak = np.abs(audio).max()
  return audio / peak * 0.9 if peak > 0 else audio


def piano_roll(tokens, title: str = '', path=None) -> np.ndarray:
  """uint8 [H, W, 4] RGBA image of the notes (time x pitch, velocity shade).

  Also written as PNG to `path` when given.
  """
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use('Agg')
  from matplotlib import pyplot as plt  # pylint: disable=import-outside-toplevel
  ns = tokenizer.tokens_to_note_sequence(tokens)
  figure, axes = plt.subplots(figsize=(10, 4))
  for note in ns.notes:
    axes.add_patch(matplotlib.patches.Rectangle(
        (note.start_time, note.pitch - 0.4), note.end_time - note.start_time,
        0.8, color=plt.cm.viridis(note.velocity / 127)))
  pitches = [n.pitch for n in ns.notes] or [60]
  axes.set_xlim(0, max(ns.total_time, 1.0))
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
    with open(path, 'wb') as f:
      f.write(data)
  image = matplotlib.image.imread(io.BytesIO(data), format='png')
  return (image * 255).astype(np.uint8)
