"""The copying measure: runs of note steps shared with training music."""

import numpy as np
import pytest

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import copying
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import report
from tests import melodies


def test_note_steps_are_pitch_and_onset_differences():
  tokens = melodies.tokens([60, 64, 62], [10, 20, 30])
  np.testing.assert_array_equal(copying.note_steps(tokens),
                                [[4, 10], [-2, 20]])
  # A chord: its notes by pitch, no time between them.
  chord = np.array([vocab.NOTE_ON_OFFSET + 67, vocab.NOTE_ON_OFFSET + 60,
                    vocab.TIME_SHIFT_OFFSET + 49], np.int32)
  np.testing.assert_array_equal(copying.note_steps(chord), [[7, 0]])
  assert copying.note_steps(chord[:1]).shape == (0, 2)


def test_a_training_piece_transposed_is_all_copied():
  pitches, shifts = melodies.random_melody(0, 60)
  index = copying.TrainingIndex([melodies.tokens(pitches, shifts)], n=8)
  assert index.num_pieces == 1 and len(index) == 59 - 8 + 1
  share, longest = copying.copied(
      melodies.tokens(pitches[10:50] + 5, shifts[10:50]), index)
  assert share == 1.0 and longest == 40


def test_new_music_is_not_copied_and_a_quoted_passage_is_found():
  train = [melodies.tokens(*melodies.random_melody(seed, 80))
           for seed in range(5)]
  index = copying.TrainingIndex(train, n=8)
  new_pitches, new_shifts = melodies.random_melody(99, 100)
  share, longest = copying.copied(melodies.tokens(new_pitches, new_shifts),
                                  index)
  assert share == 0.0 and longest == 0
  # 30 notes of piece 2 quoted in the middle of the new melody.
  quoted_pitches, quoted_shifts = melodies.random_melody(2, 80)
  pitches = np.concatenate([new_pitches[:40], quoted_pitches[20:50],
                            new_pitches[40:70]])
  shifts = np.concatenate([new_shifts[:40], quoted_shifts[20:50],
                           new_shifts[40:70]])
  share, longest = copying.copied(melodies.tokens(pitches, shifts), index)
  # The quoted notes' steps, and none across its seams by chance.
  assert 29 <= longest <= 31
  assert share == pytest.approx((30 - 1 - 8 + 1) / (100 - 1 - 8 + 1),
                                abs=0.03)


def test_measure_summarises_a_set_and_skips_short_sequences():
  pitches, shifts = melodies.random_melody(0, 60)
  index = copying.TrainingIndex([melodies.tokens(pitches, shifts)], n=8)
  copies = [melodies.tokens(pitches[i:i + 20], shifts[i:i + 20])
            for i in (0, 30)]
  new = [melodies.tokens(*melodies.random_melody(seed, 20)) for seed in (7, 8)]
  result = copying.measure(
      copies + new + [melodies.tokens(pitches[:5], shifts[:5])], index)
  assert result['n'] == 4  # the 5-note sequence has no run of 8 steps
  assert result['copied_share'] == pytest.approx(0.5)
  assert result['max_longest_copy'] == 20
  low, high = result['interval']
  assert 0.0 <= low <= 0.5 <= high <= 1.0
  assert copying.measure([], index)['copied_share'] is None
  with pytest.raises(ValueError, match='at least 1'):
    copying.TrainingIndex([], n=0)


def test_the_report_reference_indexes_the_genres_train_split(folders_builder):
  music = real_data.RealMusic(folders_builder)
  reference = report.reference_for(music, 'folk', 200, 8)
  train = music.tokens('train', 'folk')
  assert reference.train_index.num_pieces == len(train)
  crops, _ = real_data.crops_in_turn(train, 200, 8)
  assert copying.measure(crops, reference.train_index)['copied_share'] == 1.0
  held_out = music.tokens('validation', 'folk')
  assert copying.measure(held_out, reference.train_index)[
      'copied_share'] < 1.0
