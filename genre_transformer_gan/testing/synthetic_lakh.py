"""Writes a small Lakh-shaped manual_dir from generated MIDI (no downloads).

Layout, as the `lakh_genre` builder expects it:

  <root>/lmd_matched/<A>/<B>/<C>/<TRACK_ID>/<md5>.mid   (or lmd_matched.tar.gz)
  <root>/match_scores.json                              {msd_id: {md5: score}}
  <root>/msd_tagtraum_cd2c.cls (and cd1, cd2, MAGD)     TRACK_ID<TAB>GENRE

It includes what the builder must cope with: corrupt MIDI files, a
drums-only file, an md5 matched to two tracks of different genres, a matched
track without a label, a malformed and a conflicting label line.
"""

import collections
import hashlib
import json
import os
import shutil
import tarfile
from typing import Dict, Optional, Sequence

import numpy as np

from genre_transformer_gan.data import example_lib
from genre_transformer_gan.testing import synthetic_midi

LABEL_FILES = ('msd_tagtraum_cd2c.cls', 'msd_tagtraum_cd1.cls',
               'msd_tagtraum_cd2.cls', 'msd-MAGD-genreAssignment.cls')
DEFAULT_GENRES = ('Pop_Rock', 'Jazz', 'New Age')


def _track_id(rng) -> str:
  letters = rng.choice(list('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), size=16)
  return 'TR' + ''.join(letters)


def _midi_path(root, track_id, md5):
  folder = os.path.join(root, 'lmd_matched', track_id[2], track_id[3],
                        track_id[4], track_id)
  os.makedirs(folder, exist_ok=True)
  return os.path.join(folder, md5 + '.mid')


def with_tempo(midi_bytes: bytes, factor: float) -> bytes:
  """`midi_bytes` with its first set_tempo event's tempo times `factor`.

  The piece plays 1 / factor times as fast: another file (md5) with other
  time-shift tokens, written without re-encoding the MIDI.
  """
  at = midi_bytes.index(b'\xff\x51\x03') + 3
  tempo = int.from_bytes(midi_bytes[at:at + 3], 'big')
  tempo = min(max(int(round(tempo * factor)), 1), 0xFFFFFF)
  return midi_bytes[:at] + tempo.to_bytes(3, 'big') + midi_bytes[at + 3:]


def write_fake_lakh(root, num_files: int = 12,
                    genres: Sequence[str] = DEFAULT_GENRES,
                    num_corrupt: int = 1, archive: bool = False,
                    min_per_split: int = 1, notes_per_file: int = 60,
                    bad_files: bool = False, seed: int = 0,
                    tracks_per_file: int = 1,
                    distinct_pieces: Optional[int] = None) -> Dict:
  """Writes the tree and returns what a correct build must produce.

  Args:
    root: the manual_dir to write (created).
    num_files: good, labelled, unambiguous MIDI files (at least; more are
      written until every split has `min_per_split` of them).
    genres: label-file genre names (may contain spaces).
    num_corrupt: labelled files with corrupt bytes.
    archive: write `lmd_matched.tar.gz` instead of the extracted folder.
    min_per_split: minimum good files in each of train/validation/test.
    notes_per_file: notes in each generated piece.
    bad_files: also every kind of bad file of synthetic_midi.bad_midi_files
      (labelled, so the build must skip them by reason) and more bad label
      lines: malformed ones, a track id no match refers to, another
      conflicting label.
    seed: everything is a function of it.
    tracks_per_file: instrument tracks playing at once in each good file
      (Lakh files have several; see synthetic_midi.style_midi).
    distinct_pieces: generate only this many pieces and write every good
      file as one of them at a tempo of its own (`with_tempo`), so a
      45,000-file tree takes minutes to write, not hours; None generates
      every file.

  Returns:
    {'splits': {split: count}, 'skipped': {reason: count},
     'labels': {problem: count}, 'genres': [slug, ...],
     'ids': sorted md5s of the files the dataset must hold}.
  """
  rng = np.random.default_rng(seed)
  os.makedirs(root, exist_ok=True)
  matches, labels = collections.defaultdict(dict), []
  splits = collections.Counter()

  def add(midi_bytes, genre, score=0.9):
    md5 = hashlib.md5(midi_bytes).hexdigest()
    track_id = _track_id(rng)
    with open(_midi_path(root, track_id, md5), 'wb') as f:
      f.write(midi_bytes)
    matches[track_id][md5] = score
    if genre is not None:
      labels.append(f'{track_id}\t{genre}')
    return md5, track_id

  good_md5s = []
  pool = []  # The first distinct_pieces files, when they are reused.
  i = 0
  while i < num_files or min(splits[s] for s in example_lib.SPLITS) < (
      min_per_split):
    style = i % len(genres)
    program = int(rng.integers(0, 8))
    if distinct_pieces is None or i < distinct_pieces:
      midi_bytes = synthetic_midi.style_midi(
          style, seed=seed * 100003 + i, num_notes=notes_per_file,
          program=program, with_drums=bool(i % 3 == 0),
          num_tracks=tracks_per_file)
      if distinct_pieces is not None:
        pool.append(midi_bytes)
    else:  # Pool piece i % distinct_pieces, at a tempo of its own.
      copy = i // distinct_pieces
      midi_bytes = with_tempo(pool[i % distinct_pieces],
                              0.8 + 0.4 * (copy * 0.618034 % 1))
    md5, track_id = add(midi_bytes, genres[style])
    good_md5s.append(md5)
    splits[example_lib.split_of(md5)] += 1
    if i == 0:  # A second, lower-scoring match of the same md5, same genre.
      second = _track_id(rng)
      matches[second][md5] = 0.5
      labels.append(f'{second}\t{genres[style]}')
    i += 1
  skipped = collections.Counter()
  for j in range(num_corrupt):
    add(bytes(rng.integers(0, 256, size=200 + j, dtype=np.uint8)), genres[0])
    skipped['unreadable'] += 1
  add(synthetic_midi.style_midi(0, seed=999_001, num_notes=0), genres[0])
  skipped['no_notes'] += 1
  add(synthetic_midi.drums_only_midi(), genres[1])
  skipped['only_drums'] += 1
  # Conflicting genres for one md5, and a matched track with no label.
  conflict = synthetic_midi.style_midi(1, seed=999_002, num_notes=10)
  md5, _ = add(conflict, genres[0])
  other = _track_id(rng)
  matches[other][md5] = 0.8
  labels.append(f'{other}\t{genres[1]}')
  add(synthetic_midi.style_midi(2, seed=999_003, num_notes=10), None)
  # A malformed line, and one track listed twice with different genres.
  twice = _track_id(rng)
  labels += ['not a label line', f'{twice}\t{genres[0]}', f'{twice}\t{genres[1]}']
  label_problems = {'malformed_label_line': 1, 'conflicting_label': 1,
                    'unlabeled_md5': 1, 'conflicting_genres': 1}
  if bad_files:
    for j, (data, reason) in enumerate(
        synthetic_midi.bad_midi_files(seed).values()):
      add(data, genres[j % len(genres)])
      skipped[reason] += 1
    again = _track_id(rng)
    labels += ['TRSHORT\tJazz', f'{_track_id(rng)}', f'{_track_id(rng)}\t ',
               '\tJazz', f'{_track_id(rng)}\t{genres[0]}',  # no match
               f'{again}\t{genres[1]}', f'{again}\t{genres[2 % len(genres)]}']
    label_problems['malformed_label_line'] += 4
    label_problems['label_without_match'] = 1
    label_problems['conflicting_label'] += 1

  with open(os.path.join(root, 'match_scores.json'), 'w') as f:
    json.dump(matches, f, indent=1, sort_keys=True)
  text = '# Generated genre labels\n' + '\n'.join(labels) + '\n'
  for name in LABEL_FILES:
    with open(os.path.join(root, name), 'w') as f:
      f.write(text)
  if archive:
    with tarfile.open(os.path.join(root, 'lmd_matched.tar.gz'), 'w:gz') as tar:
      tar.add(os.path.join(root, 'lmd_matched'), arcname='lmd_matched')
    shutil.rmtree(os.path.join(root, 'lmd_matched'))
  from genre_transformer_gan.data import lakh_lib  # pylint: disable=import-outside-toplevel
  return {
      'splits': dict(splits),
      'skipped': dict(skipped),
      'labels': label_problems,
      'genres': sorted(lakh_lib.genre_slug(g) for g in genres),
      'ids': sorted(good_md5s),
  }
