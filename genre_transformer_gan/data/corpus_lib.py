"""The embedded default dataset: scores shipped inside music21, by genre.

Genres and the music21 corpus folders they are drawn from (Roman-numeral
analyses, `.rntxt`, are not scores and are left out):

  classical  bach (mostly chorales), beethoven, mozart, haydn, handel, chopin,
             schubert, schumann_clara, schumann_robert, corelli, cpebach,
             beach, verdi, weber
  folk       ryansMammoth, oneills1850, essenFolksong, nottingham-dataset,
             airdsAirs, miscFolk
  early      palestrina, monteverdi, trecento, josquin, ciconia, luca,
             lusitano

A piece is one score file, or one tune (`X:` number) of a multi-tune ABC
file. music21 renders it to MIDI (the builder keeps the renderings:
midi_cache.py) and the same tokenizer as for Lakh turns it into tokens, so
both datasets carry the same features.
"""

import dataclasses
import hashlib
import os
import re
from typing import Dict, List, Optional, Tuple
import warnings

from genre_transformer_gan.data import midi_cache
from genre_transformer_gan.data import shipped_renderings

GENRE_SOURCES: Dict[str, Tuple[str, ...]] = {
    'classical': ('bach', 'beethoven', 'mozart', 'haydn', 'handel', 'chopin',
                  'schubert', 'schumann_clara', 'schumann_robert', 'corelli',
                  'cpebach', 'beach', 'verdi', 'weber'),
    'folk': ('ryansMammoth', 'oneills1850', 'essenFolksong',
             'nottingham-dataset', 'airdsAirs', 'miscFolk'),
    'early': ('palestrina', 'monteverdi', 'trecento', 'josquin', 'ciconia',
              'luca', 'lusitano'),
}
GENRES: Tuple[str, ...] = tuple(GENRE_SOURCES)
SCORE_EXTENSIONS = ('.mxl', '.xml', '.musicxml', '.krn', '.abc')
_TUNE_NUMBER = re.compile(rb'^X:\s*(\d+)', re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Piece:
  """One piece of the corpus.

  Attributes:
    genre: one of GENRES.
    path: path relative to music21's corpus folder.
    number: tune number inside a multi-tune ABC file, else None.
  """
  genre: str
  path: str
  number: Optional[int] = None

  @property
  def id(self) -> str:
    return self.path if self.number is None else f'{self.path}#{self.number}'


def corpus_root() -> str:
  from music21 import common  # pylint: disable=import-outside-toplevel
  return str(common.getCorpusFilePath())


def stable_hash(text: str) -> int:
  """A hash of `text` that is the same on every machine and run."""
  return int(hashlib.md5(text.encode('utf-8')).hexdigest()[:12], 16)


def _source_files(root: str, source: str) -> List[str]:
  files = []
  for dirpath, _, names in os.walk(os.path.join(root, source)):
    for name in names:
      if name.lower().endswith(SCORE_EXTENSIONS):
        files.append(os.path.relpath(os.path.join(dirpath, name), root))
  return sorted(files, key=lambda p: (stable_hash(p), p))


def _tune_numbers(full_path: str) -> List[Optional[int]]:
  if not full_path.lower().endswith('.abc'):
    return [None]
  with open(full_path, 'rb') as f:
    numbers = [int(n) for n in _TUNE_NUMBER.findall(f.read())]
  if len(numbers) <= 1:
    return [None]
  return list(dict.fromkeys(numbers))  # music21 parses one tune per number


def list_pieces(max_per_genre: Optional[int] = None,
                max_file_bytes: Optional[int] = None) -> List[Piece]:
  """The corpus's pieces, genre by genre, in a fixed order.

  Args:
    max_per_genre: if set, keep this many pieces per genre, taking the
      genre's sources in turn (so every source is represented) and leaving
      out multi-tune ABC files (12,000 folk tunes, which `full` has).
    max_file_bytes: if set, leave out score files larger than this.
  """
  root = corpus_root()
  pieces = []
  for genre, sources in GENRE_SOURCES.items():
    per_source = []
    for source in sources:
      source_pieces = []
      for path in _source_files(root, source):
        full_path = os.path.join(root, path)
        if max_file_bytes and os.path.getsize(full_path) > max_file_bytes:
          continue
        numbers = _tune_numbers(full_path)
        if max_per_genre and numbers != [None]:
          continue
        source_pieces.extend(Piece(genre, path, n) for n in numbers)
      per_source.append(source_pieces)
    if max_per_genre is None:
      pieces.extend(p for ps in per_source for p in ps)
      continue
    taken = []
    for i in range(max(len(ps) for ps in per_source)):
      taken.extend(ps[i] for ps in per_source if i < len(ps))
    pieces.extend(taken[:max_per_genre])
  return pieces


def _strip_repeats(score) -> None:
  """Removes repeat barlines and expressions music21 cannot expand."""
  from music21 import bar, repeat  # pylint: disable=import-outside-toplevel
  for measure in score.recurse().getElementsByClass('Measure'):
    if isinstance(measure.leftBarline, bar.Repeat):
      measure.leftBarline = None
    if isinstance(measure.rightBarline, bar.Repeat):
      measure.rightBarline = None
  for expression in list(score.recurse().getElementsByClass(
      repeat.RepeatExpression)):
    expression.activeSite.remove(expression)


# Bump when piece_to_midi renders a piece otherwise: cached renderings of
# another version are not read (midi_cache.py).
RENDERING_VERSION = 1


def rendering_key(piece: Piece) -> str:
  """The cache key of a piece's rendering: this code's rendering version,
  music21's version (its corpus ships with it) and the piece's file and
  size. Never raises: a missing file is keyed as such (its rendering fails
  and is counted, as without a cache)."""
  import music21  # pylint: disable=import-outside-toplevel
  try:
    size = os.path.getsize(os.path.join(corpus_root(), piece.path))
  except OSError:
    size = 'missing'
  return (f'rendering {RENDERING_VERSION} music21 {music21.__version__} '
          f'{piece.id} {size}')


def piece_to_midi(piece: Piece, cache_folder: Optional[str] = None) -> bytes:
  """A piece rendered to MIDI bytes by music21 (or read from the cache, or
  from the renderings the package ships: data/shipped_renderings.py).

  Repeats are expanded; where music21 finds them malformed, they are
  dropped and the piece is played straight through.

  Args:
    cache_folder: a midi_cache folder to read the rendering from, and to
      keep it in when music21 renders it; None renders every time (the
      oracle of both).

  Raises:
    Exception: whatever music21 raises for a score it cannot read.
  """
  if cache_folder is None:
    return _render(piece)
  cache = midi_cache.MidiCache(cache_folder)
  key = rendering_key(piece)
  data = cache.get(key)
  if data is None:
    data = shipped_renderings.get(key)
  if data is None:
    data = _render(piece)
    cache.put(key, data)
  return data


def _render(piece: Piece) -> bytes:
  """music21's MIDI rendering of a piece (piece_to_midi without a cache)."""
  from music21 import converter, midi, repeat  # pylint: disable=import-outside-toplevel
  with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    full_path = os.path.join(corpus_root(), piece.path)
    # From the source, not music21's pickle cache: reading a pickle back
    # takes longer than parsing these files (BENCHMARKS.md, "The full
    # embedded corpus"), and 15,000 pickles would fill its scratch folder.
    if piece.number is None:
      score = converter.parse(full_path, forceSource=True)
    else:
      score = converter.parse(full_path, number=piece.number,
                              forceSource=True)
    if hasattr(score, 'scores'):  # an Opus
      score = score.scores[0]
    try:
      midi_file = midi.translate.streamToMidiFile(score)
    except repeat.ExpanderException:
      _strip_repeats(score)
      midi_file = midi.translate.streamToMidiFile(score)
    return midi_file.writestr()


def piece_to_example(piece: Piece, cache_folder: Optional[str] = None):
  """Piece -> (key, example dict) for the corpus_genre builder.

  Args:
    cache_folder: as piece_to_midi's.

  Raises:
    example_lib.SkipExample: `score_error` if music21 fails, else as
      `example_lib.make_example`.
  """
  from genre_transformer_gan.data import example_lib  # pylint: disable=import-outside-toplevel
  try:
    midi_bytes = piece_to_midi(piece, cache_folder)
  except Exception as e:  # pylint: disable=broad-except
    raise example_lib.SkipExample('score_error', f'{piece.id}: {e}') from e
  return piece.id, example_lib.make_example(
      midi_bytes, GENRES.index(piece.genre), piece.id)


def process_piece(piece: Piece, cache_folder: Optional[str] = None):
  """Piece -> ('ok', key, example) or ('skip', reason, piece id).

  Never raises, so it can run in a process pool or a Beam worker.
  cache_folder: as piece_to_midi's.
  """
  from genre_transformer_gan.data import example_lib  # pylint: disable=import-outside-toplevel
  try:
    key, example = piece_to_example(piece, cache_folder)
    return 'ok', key, example
  except example_lib.SkipExample as e:
    return 'skip', e.reason, piece.id
