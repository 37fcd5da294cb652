"""Builds survive bad input: every good file is kept, every bad one counted.

A manual_dir mixes good generated MIDI with one file of each bad kind
(truncated, random bytes, wrong header, zero length, SMF format 2, absurd
tempi, 100,000 notes, only drums, no notes, an hour of silence) and bad label
lines (malformed, a track id without a match, conflicting labels).
"""

import collections
import hashlib
import os

import numpy as np
import pytest
import tensorflow_datasets as tfds

from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets
from genre_transformer_gan.testing import synthetic_lakh
from genre_transformer_gan.testing import synthetic_midi

_BAD = synthetic_midi.bad_midi_files(seed=3)


@pytest.mark.parametrize('name', sorted(_BAD))
def test_each_bad_file_is_skipped_for_its_reason(name):
  data, reason = _BAD[name]
  assert reason in example_lib.SKIP_REASONS
  with pytest.raises(example_lib.SkipExample) as raised:
    example_lib.make_example(data, 0, name)
  assert raised.value.reason == reason


def test_longest_silence_counts_time_without_note_events():
  shift = lambda steps: vocab.TIME_SHIFT_OFFSET + steps - 1
  note_on, note_off, velocity = 62, 190, vocab.VELOCITY_OFFSET + 5
  tokens = np.array([shift(100), velocity, note_on, shift(100), shift(50),
                     velocity, shift(20), note_off, shift(10)])
  # 1.7 s between the note-on and the note-off; velocity events don't count.
  assert example_lib.longest_silence_seconds(tokens) == pytest.approx(1.7)
  assert example_lib.longest_silence_seconds(np.array([note_on])) == 0.0


def _ids_and_skips(builder):
  ids = set()
  for split in builder.info.splits:
    for example in tfds.as_numpy(builder.as_dataset(split=split)):
      ids.add(example['id'].decode())
  return ids, example_lib.read_skip_summary(builder.data_dir)


def test_lakh_build_keeps_every_good_file_and_counts_every_bad_one(tmp_path):
  manual_dir = str(tmp_path / 'lmd')
  expected = synthetic_lakh.write_fake_lakh(manual_dir, num_files=9,
                                            bad_files=True, seed=3)
  builder = datasets.get_builder('lakh_genre/tagtraum_cd2c',
                                 data_dir=str(tmp_path / 'data'),
                                 manual_dir=manual_dir)
  ids, summary = _ids_and_skips(builder)
  assert ids == set(expected['ids'])
  assert summary['skipped'] == expected['skipped']
  assert summary['labels'] == expected['labels']
  # Every kind of bad file is among the counted ones.
  assert set(reason for _, reason in _BAD.values()) <= set(summary['skipped'])


def test_folders_build_keeps_every_good_file_and_counts_every_bad_one(
    tmp_path):
  manual_dir = tmp_path / 'collection'
  good, skipped = {}, collections.Counter()
  for style, genre in enumerate(('Baroque', 'Jazz Standards')):
    folder = manual_dir / genre / 'nested'
    os.makedirs(folder)
    for i in range(12):
      data = synthetic_midi.style_midi(style, seed=i, num_notes=30)
      (folder / f'{i}.mid').write_bytes(data)
      good[hashlib.md5(data).hexdigest()] = genre
    for j, (name, (data, reason)) in enumerate(sorted(_BAD.items())):
      if j % 2 == style:
        (folder / f'{name}.MID').write_bytes(data)
        skipped[reason] += 1
  builder = datasets.get_builder('midi_folders',
                                 data_dir=str(tmp_path / 'data'),
                                 manual_dir=str(manual_dir))
  assert builder.info.features['genre'].names == ['baroque',
                                                  'jazz_standards']
  ids, summary = _ids_and_skips(builder)
  assert ids == set(good)
  assert summary['skipped'] == dict(skipped)
