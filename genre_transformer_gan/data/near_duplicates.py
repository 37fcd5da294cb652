"""Near-duplicate pieces: editions, variants and reharmonisations of one tune.

A held-out piece whose near-duplicate is in the training split measures
memory, not generalisation. The rule (both keys are transposition-invariant):

  notes key    the first NOTES_KEY_LENGTH notes in (onset, pitch) order, as
               pitches relative to the first: the same music in another key
               or edition;
  melody key   the top line (highest pitch of each onset) of the first
               MELODY_KEY_LENGTH onsets, as intervals: the same tune with
               another harmonisation or accompaniment.

Two pieces are near-duplicates when either key is equal. Pieces too short
for a key have none. `group_near_duplicates` joins chains of them (A~B,
B~C) into groups, so a builder can put every group in one split
(`splits_keeping_groups`), agreeing with a smaller build of the same pieces.
"""

import collections
from typing import (Callable, Collection, Dict, Hashable, List, Mapping,
                    Optional, Sequence, Tuple)

import numpy as np

from genre_transformer_gan.data import notes as notes_lib

NOTES_KEY_LENGTH = 64
MELODY_KEY_LENGTH = 32


def keys_of_tokens(tokens) -> Tuple[Optional[tuple], Optional[tuple]]:
  """(notes key, melody key) of int [L] event tokens; None where too short."""
  notes = notes_lib.notes_of_tokens(tokens)
  notes_key = None
  if len(notes) >= NOTES_KEY_LENGTH:
    pitch = notes.pitch[:NOTES_KEY_LENGTH]
    notes_key = tuple((pitch - pitch[0]).tolist())
  melody_key = None
  onsets, first = np.unique(notes.start, return_index=True)
  if len(onsets) >= MELODY_KEY_LENGTH:
    # Notes are sorted by (start, pitch): the last of each onset is the top.
    last = np.append(first[1:], len(notes)) - 1
    melody_key = tuple(np.diff(notes.pitch[last[:MELODY_KEY_LENGTH]]).tolist())
  return notes_key, melody_key


def group_near_duplicates(keys: Mapping[Hashable, Sequence]) -> List[list]:
  """Groups of >= 2 ids whose keys chain together (union-find).

  Args:
    keys: {id: (notes key, melody key)}, as keys_of_tokens gives.

  Returns:
    [[id, ...]], each group sorted, groups sorted by their first id.
  """
  parent = {item: item for item in keys}

  def root(item):
    while parent[item] != item:
      parent[item] = parent[parent[item]]
      item = parent[item]
    return item

  first_with = {}
  for item in sorted(keys):
    for kind, key in enumerate(keys[item]):
      if key is None:
        continue
      other = first_with.setdefault((kind, key), item)
      a, b = root(item), root(other)
      if a != b:
        parent[max(a, b)] = min(a, b)
  groups = collections.defaultdict(list)
  for item in keys:
    groups[root(item)].append(item)
  return sorted((sorted(g) for g in groups.values() if len(g) > 1),
                key=lambda g: g[0])


def cross_split_groups(keys: Mapping[Hashable, Sequence],
                       split_of: Mapping[Hashable, str]) -> List[list]:
  """The near-duplicate groups that span more than one split."""
  return [group for group in group_near_duplicates(keys)
          if len({split_of[item] for item in group}) > 1]


def splits_with_groups(split_of: Mapping[Hashable, str],
                       groups: Sequence[Sequence]) -> Dict[Hashable, str]:
  """split_of with every group moved to the split of its first id."""
  result = dict(split_of)
  for group in groups:
    for item in group:
      result[item] = split_of[group[0]]
  return result


# Where a group with members in several reference splits goes: the first
# of these it touches, so held-out music never lands in train.
_STRICTEST_FIRST = ('test', 'validation', 'train')


def splits_keeping_groups(
    keys: Mapping[Hashable, Sequence],
    split_of: Callable[[Hashable], str],
    reference_ids: Collection[Hashable] = ()) -> Dict[Hashable, str]:
  """{id: split}: each near-duplicate group in one split.

  Without a reference, a group takes the split of its first id. A reference
  is a smaller build drawn from the same pieces (corpus_genre/small inside
  corpus_genre/full): its pieces keep the splits that build gives them (the
  same rule on its own pieces), and a group holding reference pieces goes
  to the strictest of their splits (test, then validation, then train). So
  no reference held-out piece, nor any near-duplicate of one, is in train,
  and a model trained on the larger build can be judged on the smaller
  one's held-out music.

  Args:
    keys: {id: (notes key, melody key)} of every piece.
    split_of: id -> split by hash, before grouping.
    reference_ids: the ids of the smaller build (those absent from `keys`,
      i.e. skipped, are ignored).
  """
  reference_keys = {i: keys[i] for i in reference_ids if i in keys}
  reference = splits_with_groups({i: split_of(i) for i in reference_keys},
                                 group_near_duplicates(reference_keys))
  result = {i: reference.get(i) or split_of(i) for i in keys}
  for group in group_near_duplicates(keys):
    held = {reference[i] for i in group if i in reference}
    split = next((s for s in _STRICTEST_FIRST if s in held),
                 split_of(group[0]))
    for item in group:
      result[item] = split
  return result


def check_builder(builder, max_tokens: int = 4096) -> List[list]:
  """Cross-split near-duplicate groups of a prepared builder's pieces.

  Keys are read from each piece's first `max_tokens` tokens (hundreds of
  notes in real music, far more than the keys need).

  Returns:
    [[(split, id), ...]] for every group that spans more than one split.
  """
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  keys, split_of = {}, {}
  for split in builder.info.splits:
    for example in tfds.as_numpy(builder.as_dataset(split=split)):
      item = (split, example['id'].decode('utf-8'))
      keys[item] = keys_of_tokens(example['tokens'][:max_tokens])
      split_of[item] = split
  return cross_split_groups(keys, split_of)
