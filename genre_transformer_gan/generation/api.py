"""`genre_transformer_gan.generate`: music of a genre in one call.

  import genre_transformer_gan
  pieces = genre_transformer_gan.generate(genre='folk', seconds=30, seed=0)
  note_seq.sequence_proto_to_midi_file(pieces[0], 'folk.mid')
  # Continue your own tune as classical, and write MIDI, WAV, piano rolls:
  genre_transformer_gan.generate(genre='classical', primer='tune.mid',
                                 output_dir='samples/transfer')

`model` is the name of a generator shipped inside the package ('small':
no training run, no dataset, nothing downloaded) or a model_dir that
`genre_gan_train` wrote. The same library as `genre_gan_generate`
(generate_lib.py), so the same seed gives the same music.
"""

import os
from typing import List, Optional

import numpy as np

from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.models import pretrained


def load(model: str = 'small',
         genre: Optional[str] = None) -> generate_lib.LoadedGenerator:
  """A shipped generator by name, else the one in model_dir `model`."""
  if model in pretrained.shipped() and not os.path.isdir(model):
    return generate_lib.load_shipped(model)
  if not os.path.exists(model):
    names = ', '.join(pretrained.shipped()) or 'none'
    raise ValueError(f'model={model!r} is neither a shipped generator '
                     f'({names}) nor a folder; pass one of those names or '
                     'a model_dir written by genre_gan_train.')
  return generate_lib.load(model, genre)


def generate(genre: str, seconds: Optional[float] = 30.0,
             length: Optional[int] = None, primer: Optional[str] = None,
             primer_seconds: Optional[float] = None, model: str = 'small',
             num_samples: int = 1, seed: int = 0,
             temperature: Optional[float] = None,
             top_p: Optional[float] = None, top_k: Optional[int] = None,
             guidance: str = 'none', guide=None,
             output_dir: Optional[str] = None, synth: str = 'auto',
             overwrite: bool = False, max_note_seconds: Optional[float] = None,
             log=print) -> List:
  """Generates `num_samples` pieces of `genre`; returns their NoteSequences.

  Args:
    genre: one of the model's genres (the shipped one: classical, folk,
      early).
    seconds: length of each piece in seconds (cut where it reaches them);
      `length` (event tokens) instead if given.
    primer: a MIDI file to continue in `genre` (genre transfer); its first
      `primer_seconds` if given (at most half the model's training length).
    model: a shipped generator's name or a model_dir (see `load`).
    seed: the same seed (and num_samples) gives the same music.
    temperature, top_p, top_k: sampling (default: the model's config).
    guidance, guide: genre guidance (guidance.py) and, for rerank:N /
      drs:N / chunk:N, the classifier that ranks (a models/classifier_io
      load; drs needs one with the class 'generated').
    max_note_seconds: a note still sounding this long after it began ends
      there (genre_gan_generate --max_note_seconds; default: the model's
      config's; 0: no cap).
    output_dir: if given, also writes MIDI, WAV (`synth`), piano-roll PNG
      and index.json / .md / .html there, as genre_gan_generate does (a
      folder with an earlier run's samples only with `overwrite`).

  Returns:
    [note_seq NoteSequence] of the pieces (with the primer, if any).

  Raises:
    ValueError / FileNotFoundError: one line naming the fix.
  """
  settings = generate_lib.GenerateSettings(
      genre=genre, num_samples=num_samples, length=length or 1024,
      seconds=None if length else seconds, temperature=temperature,
      top_k=top_k, top_p=top_p, seed=seed, batch_size=min(num_samples, 8),
      primer=primer, primer_seconds=primer_seconds, synth=synth,
      guidance=guidance, max_note_seconds=max_note_seconds)
  settings.check()
  generator = load(model, genre)
  generate_lib.check_genre(generator, genre)
  if output_dir:
    index = generate_lib.generate_files(generator, output_dir, settings,
                                        log=log, guide=guide,
                                        overwrite=overwrite)
    tokens = [np.load(os.path.join(output_dir, entry['tokens_file']))
              for entry in index['samples']]
  else:
    tokens = generate_lib.pieces(generator, settings,
                                 generate_lib.primer_of(generator, settings),
                                 log, guide)
  return [tokenizer.tokens_to_note_sequence(t) for t in tokens]
