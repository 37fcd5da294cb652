"""Lakh MIDI Dataset + MSD genre labels -> (md5, genre) work items.

Label files (tagtraum `msd_tagtraum_cd*.cls`, MAGD
`msd-MAGD-genreAssignment.cls`): one `TRACK_ID<TAB>MAJORITY[<TAB>MINORITY]`
per line, `#` comment lines; genre names may contain spaces ("New Age").
Only the majority genre is used. Genre names become slugs: lower case,
runs of other characters than letters and digits turned into `_`
("New Age" -> `new_age`, "Pop_Rock" -> `pop_rock`).

`match_scores.json` is `{msd_id: {md5: score}}`. Rule: an md5 takes the genre
of its labelled MSD matches when they all agree (the id recorded is the
best-scoring one); if they disagree it is dropped and counted as
`conflicting_genres`. Every md5 appears at most once (dedup by md5).
"""

import collections
import dataclasses
import os
import re
from typing import Dict, Iterable, List, Mapping, Tuple

from etils import epath

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import tokenizer

# Label-level problems, counted beside example_lib.SKIP_REASONS.
LABEL_REASONS = (
    'malformed_label_line',   # not TRACK_ID<TAB>GENRE[...]
    'conflicting_label',      # the same track id listed with two genres
    'unlabeled_md5',          # md5 whose matched tracks have no label
    'conflicting_genres',     # md5 whose labelled tracks disagree
    'missing_file',           # md5 in match_scores.json without a .mid file
    'duplicate_file',         # the same content twice in `folders`
    'unopenable_file',        # a .mid in `folders` that cannot be opened
                              # (a broken link, no permission)
    'label_without_match',    # labelled track id absent from match_scores
                              # (normal: label files cover all of the MSD)
)

_TRACK_ID = re.compile(r'^TR[A-Z0-9]{16}$')
_MD5 = re.compile(r'^[0-9a-f]{32}$')


def genre_slug(name: str) -> str:
  """'New Age' -> 'new_age'; 'Pop_Rock' -> 'pop_rock'."""
  slug = re.sub(r'[^0-9a-z]+', '_', name.strip().lower()).strip('_')
  if not slug:
    raise ValueError(f'Empty genre name {name!r}.')
  return slug


def parse_label_lines(lines: Iterable[str]) -> Tuple[Dict[str, str],
                                                     collections.Counter]:
  """Parses a .cls label file.

  Returns:
    ({track_id: genre slug}, Counter of LABEL_REASONS problems). A track id
    listed twice with different genres is dropped.
  """
  labels, problems = {}, collections.Counter()
  conflicting = set()
  for line in lines:
    line = line.rstrip('\r\n')
    if not line.strip() or line.lstrip().startswith('#'):
      continue
    fields = line.split('\t')
    if len(fields) < 2 or not _TRACK_ID.match(fields[0].strip()):
      problems['malformed_label_line'] += 1
      continue
    try:
      genre = genre_slug(fields[1])
    except ValueError:
      problems['malformed_label_line'] += 1
      continue
    track_id = fields[0].strip()
    if track_id in labels and labels[track_id] != genre:
      conflicting.add(track_id)
    labels.setdefault(track_id, genre)
  for track_id in conflicting:
    del labels[track_id]
  problems['conflicting_label'] += len(conflicting)
  return labels, problems


@dataclasses.dataclass(frozen=True)
class WorkItem:
  """One MIDI file to convert: its md5 (the example id), genre and path."""
  md5: str
  genre: str
  path: str
  msd_id: str = ''


def resolve_md5_genres(match_scores: Mapping[str, Mapping[str, float]],
                       labels: Mapping[str, str]):
  """Applies the md5 rule of the module docstring.

  Returns:
    ({md5: (genre, best msd_id)}, Counter of problems).
  """
  candidates = collections.defaultdict(list)  # md5 -> [(score, msd_id, genre)]
  all_md5s = set()
  for msd_id, matches in match_scores.items():
    for md5, score in matches.items():
      all_md5s.add(md5)
      if msd_id in labels:
        candidates[md5].append((float(score), msd_id, labels[msd_id]))
  resolved, problems = {}, collections.Counter()
  problems['unlabeled_md5'] = len(all_md5s - set(candidates))
  without_match = len(set(labels) - set(match_scores))
  if without_match:
    problems['label_without_match'] = without_match
  for md5, matches in candidates.items():
    if len({genre for _, _, genre in matches}) > 1:
      problems['conflicting_genres'] += 1
      continue
    score, msd_id, genre = max(matches, key=lambda m: (m[0], m[1]))
    resolved[md5] = (genre, msd_id)
  return resolved, problems


def index_midi_files(root) -> Dict[str, str]:
  """{md5: path} of the `<md5>.mid` files under `root` (first path wins)."""
  found = {}
  for dirpath, _, filenames in epath.Path(root).walk():
    for name in sorted(filenames):
      stem, ext = os.path.splitext(name)
      if ext.lower() in tokenizer.MIDI_SUFFIXES and _MD5.match(stem):
        found.setdefault(stem, os.fspath(epath.Path(dirpath) / name))
  return found


def lakh_work_items(midi_root, match_scores_path, label_path):
  """Work items for the tagtraum/MAGD configs.

  Returns:
    (sorted genre slugs, [WorkItem], Counter of label problems).
  """
  labels, problems = parse_label_lines(
      epath.Path(label_path).read_bytes().decode(
          'utf-8', errors='replace').splitlines())
  match_scores = atomic_files.read_json(
      os.fspath(match_scores_path), 'Lakh match score file',
      'download match_scores.json again from the Lakh MIDI page into '
      '--manual_dir')
  resolved, resolve_problems = resolve_md5_genres(match_scores, labels)
  problems.update(resolve_problems)
  files = index_midi_files(midi_root)
  items = []
  for md5 in sorted(resolved):
    genre, msd_id = resolved[md5]
    if md5 not in files:
      problems['missing_file'] += 1
      continue
    items.append(WorkItem(md5, genre, files[md5], msd_id))
  genres = sorted(set(labels.values()))
  return genres, items, problems


def folder_work_items(root):
  """Work items for the `folders` config: `root/<genre>/**/*.mid|*.midi`.

  The id is the md5 of the file's bytes: the same content twice in one genre
  is kept once (`duplicate_file`), in two genres dropped
  (`conflicting_genres`); a file that cannot be opened is counted
  (`unopenable_file`) and left out.

  Returns:
    (sorted genre slugs, [WorkItem], Counter of problems).
  """
  import hashlib  # pylint: disable=import-outside-toplevel
  root = epath.Path(root)
  by_md5: Dict[str, List[WorkItem]] = collections.defaultdict(list)
  genres, problems = set(), collections.Counter()
  for genre_dir in sorted(p for p in root.iterdir() if p.is_dir()):
    genre = genre_slug(genre_dir.name)
    for dirpath, _, filenames in genre_dir.walk():
      for name in sorted(filenames):
        if not name.lower().endswith(tokenizer.MIDI_SUFFIXES):
          continue
        path = epath.Path(dirpath) / name
        try:
          md5 = hashlib.md5(path.read_bytes()).hexdigest()
        except OSError:
          problems['unopenable_file'] += 1
          continue
        by_md5[md5].append(WorkItem(md5, genre, os.fspath(path)))
        genres.add(genre)
  items = []
  for md5 in sorted(by_md5):
    copies = by_md5[md5]
    if len({c.genre for c in copies}) > 1:
      problems['conflicting_genres'] += 1
      continue
    problems['duplicate_file'] += len(copies) - 1
    items.append(min(copies, key=lambda c: c.path))
  return sorted(genres), items, problems


def convert_item(item: WorkItem, genre_index: Mapping[str, int]):
  """WorkItem -> [(md5, example)], or [] with a `skipped/<reason>` counter.

  Runs inside Beam workers.
  """
  from genre_transformer_gan.data import example_lib  # pylint: disable=import-outside-toplevel
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  try:
    example = example_lib.make_example(item.path, genre_index[item.genre],
                                       item.md5)
  except example_lib.SkipExample as e:
    tfds.beam.inc_counter(f'skipped/{e.reason}')
    return []
  return [(item.md5, example)]
