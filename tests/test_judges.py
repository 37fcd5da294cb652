"""Negatives, realism measures, sequence-level features, and calibration."""

import numpy as np
import pytest

from genre_transformer_gan import configs
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import negatives
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism
from genre_transformer_gan.evaluation import report

ON, OFF = vocab.NOTE_ON_OFFSET, vocab.NOTE_OFF_OFFSET


def _shift(steps):
  return vocab.TIME_SHIFT_OFFSET + steps - 1


def _melody(pitches, steps=25):
  tokens = []
  for pitch in pitches:
    tokens += [ON + pitch, _shift(steps), OFF + pitch]
  return np.array(tokens)


def test_negatives_are_seeded_and_of_their_kind():
  rng = np.random.default_rng(0)
  pieces = [_melody(rng.integers(60, 72, size=100)) for _ in range(5)]
  for kind in negatives.KINDS:
    first = negatives.make(kind, pieces, 4, 120, seed=3)
    second = negatives.make(kind, pieces, 4, 120, seed=3)
    assert len(first) == 4
    for a, b in zip(first, second):
      np.testing.assert_array_equal(a, b)
      assert a.dtype == np.int32
      assert a.min() >= vocab.NUM_RESERVED and a.max() < vocab.GENRE_OFFSET
  assert all(len(t) == 120 for t in negatives.uniform(3, 120))
  crops = negatives.crops_of(pieces, 4, 120, seed=1)
  for crop, shuffled in zip(crops, negatives.shuffled(crops, seed=1)):
    np.testing.assert_array_equal(np.sort(crop), np.sort(shuffled))
  for drone in negatives.drone(crops):
    assert not np.any((drone >= OFF) & (drone < vocab.TIME_SHIFT_OFFSET))
    # Only a key struck again ends a note (one key sounds once); the last
    # note of each pitch sounds to the end.
    notes = notes_lib.notes_of_tokens(drone)
    for pitch, start, end, closed in zip(notes.pitch, notes.start, notes.end,
                                         notes.closed):
      again = notes.start[(notes.pitch == pitch) & (notes.start > start)]
      if closed:  # Struck again (a zero-length last note is dropped).
        assert (len(again) and again.min() == end) or end == notes.total_time
      else:
        assert not len(again)
  half = negatives.drone(crops, share=0.5, seed=0)
  assert 0 < sum(len(c) - len(h) for c, h in zip(crops, half)) < sum(
      np.sum((c >= OFF) & (c < vocab.TIME_SHIFT_OFFSET)) for c in crops)
  frequencies = negatives.unigram_distribution(pieces)
  assert frequencies[:vocab.NUM_RESERVED].sum() == 0
  assert frequencies.argmax() == _shift(25)
  with pytest.raises(ValueError, match='choose one of'):
    negatives.make('silence', pieces, 1, 10)


def test_sequence_features():
  slices = features.group_slices()
  scale = _melody([60, 62, 64, 65, 67, 69, 71, 72] * 4)
  vector = features.feature_vector(scale)
  np.testing.assert_allclose(vector[slices['held_notes']], [0, 0])
  assert vector[slices['onset_grid']][0] == 1.0  # all on a 250 ms grid
  # 28 interval 4-grams, 8 distinct (one turn of the scale): 20 repeated.
  assert vector[slices['repetition']][1] == pytest.approx(20 / 28)
  np.testing.assert_allclose(vector[slices['polyphony_profile']][:4], 1.0,
                             atol=1e-6)
  # 32 distinct keys, none struck again: without NOTE_OFFs all sound to 8 s.
  drone = negatives.drone([_melody(list(range(50, 82)))])[0]
  vector = features.feature_vector(drone)
  held, never_closed = vector[slices['held_notes']]
  assert held == 0.5 and never_closed == 1.0
  profile = vector[slices['polyphony_profile']]
  assert profile[3] > 3 * profile[0] and profile[4] > 0.5  # rising: a drone


def test_c2st_and_frechet():
  rng = np.random.default_rng(0)
  a = rng.normal(0, 1, [80, 6])
  same = realism.c2st(a, rng.normal(0, 1, [80, 6]), seed=0)
  apart = realism.c2st(a, rng.normal(2, 1, [80, 6]), seed=0)
  assert 0.3 <= same['accuracy'] <= 0.7 and same['n'] == 80
  assert apart['accuracy'] >= 0.9
  low, high = apart['interval']
  assert low <= apart['accuracy'] <= high
  # A reference made of few "pieces" (near-copies): grouped folds stop the
  # test from winning by recognising them.
  pieces = rng.normal(0, 1, [8, 6])
  reference = pieces[np.arange(80) % 8] + rng.normal(0, 0.01, [80, 6])
  samples = pieces[(np.arange(80) + 3) % 8] + rng.normal(0, 0.01, [80, 6])
  grouped = realism.c2st(samples, reference, np.arange(80) % 8,
                         (np.arange(80) + 3) % 8, seed=0)
  assert grouped['accuracy'] <= 0.75
  # Reference crops of 3 pieces: 3 folds, not an error.
  three = realism.c2st(a, rng.normal(2, 1, [80, 6]), np.arange(80) % 3,
                       seed=0)
  assert three['accuracy'] >= 0.9
  assert realism.c2st(a[:3], a)['accuracy'] is None
  # One side one piece's crops (a small folder's single test piece): no
  # fold can hold part of it out, so there is no test, not a 0.5.
  far = rng.normal(5, 1, [80, 6])
  assert realism.c2st(far, a, np.arange(80) % 8, np.zeros(80),
                      seed=0)['accuracy'] is None
  assert realism.c2st(far, a, np.zeros(80), seed=0)['accuracy'] is None
  assert realism.c2st(far, a, np.arange(80) % 8, np.arange(80) % 2,
                      seed=0)['accuracy'] >= 0.9
  # 1-D Gaussians: (m1 - m2)^2 + (s1 - s2)^2.
  x = np.array([[-1.0], [1.0]] * 50)
  y = 3.0 + 2.0 * x
  expected = 9.0 + (np.std(x, ddof=1) * (2 - 1)) ** 2
  for covariance in realism.COVARIANCES:  # One feature: nothing to shrink.
    assert realism.frechet_distance(x, y, covariance) == pytest.approx(
        expected, rel=1e-6)
  result = realism.frechet(a, a + 0.5, a.mean(0), a.std(0), seed=0,
                           num_bootstrap=50)
  assert result['interval'][0] <= result['distance'] <= result['interval'][1]
  few = realism.frechet(a[:20], a[:20] + 0.5, a.mean(0), a.std(0), seed=0,
                        num_bootstrap=50)  # Fewer rows: a wider interval.
  width = lambda r: r['interval'][1] - r['interval'][0]  # noqa: E731
  assert 0 < width(result) < width(few)


def test_ledoit_wolf_frechet_drops_real_against_real():
  """68 correlated features from 32 rows: the sample covariance is
  rank-deficient and inflates the distance of two draws of one
  distribution; shrinkage brings it down and keeps a real shift visible."""
  rng = np.random.default_rng(0)
  mixing = rng.normal(0, 1, [68, 68]) / np.sqrt(68)
  draw = lambda shift: (rng.normal(0, 1, [32, 68]) @ mixing) + shift
  a, b, moved = draw(0.0), draw(0.0), draw(1.0)
  plain = realism.frechet_distance(a, b, 'sample')
  shrunk = realism.frechet_distance(a, b)
  assert shrunk < 0.5 * plain
  assert realism.frechet_distance(a, moved) > shrunk + 0.5 * 68
  with pytest.raises(ValueError, match='ledoit_wolf'):
    realism.frechet_distance(a, b, 'diagonal')


def test_frechet_distance_equals_the_formula_with_scipys_sqrtm():
  """The Cholesky factor (positive definite: Ledoit-Wolf) and the
  eigenvalue root (rank-deficient: 20 rows of 68 features) both give
  ||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 sqrtm(C_a C_b))."""
  from scipy import linalg  # pylint: disable=import-outside-toplevel
  rng = np.random.default_rng(3)
  mixing = rng.normal(0, 1, [68, 68]) / np.sqrt(68)
  a = rng.normal(0, 1, [20, 68]) @ mixing
  b = rng.normal(0.3, 1.2, [64, 68]) @ mixing
  for covariance in realism.COVARIANCES:
    cov_a = realism._covariance(a, covariance)  # pylint: disable=protected-access
    cov_b = realism._covariance(b, covariance)  # pylint: disable=protected-access
    expected = (np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a) +
                np.trace(cov_b) -
                2.0 * np.trace(linalg.sqrtm(cov_a @ cov_b)).real)
    assert realism.frechet_distance(a, b, covariance) == pytest.approx(
        expected, rel=1e-6)


def test_ledoit_wolf_in_closed_form_equals_sklearns():
  """realism.ledoit_wolf against its oracle, sklearn's LedoitWolf: rows
  fewer and more than features, repeated rows (a bootstrap's), a constant
  feature, shrinkage 0 (a diagonal spread), one feature, two rows."""
  from sklearn import covariance as sk_covariance  # pylint: disable=import-outside-toplevel
  rng = np.random.default_rng(0)
  mixing = rng.normal(0, 1, [68, 68]) / np.sqrt(68)
  correlated = rng.normal(0, 1, [64, 68]) @ mixing
  constant = correlated.copy()
  constant[:, 5] = 2.0
  cases = [correlated, correlated[:3], correlated[:2],
           correlated[rng.integers(0, 64, 64)], constant,
           rng.normal(0, 1, [500, 4]) * [1, 2, 3, 4], rng.normal(5, 2, [40, 1]),
           np.repeat(correlated[:1], 5, axis=0)]
  for rows in cases:
    expected = sk_covariance.LedoitWolf().fit(rows).covariance_
    np.testing.assert_allclose(realism.ledoit_wolf(rows), expected,
                               rtol=1e-9, atol=1e-12)


@pytest.fixture(scope='module')
def small_evaluator(corpus_small_builder, tmp_path_factory):
  """The evaluator with the `small` settings, trained as the command does."""
  directory = str(tmp_path_factory.mktemp('evaluator'))
  info = evaluator_lib.train_evaluator(
      configs.get_config('small'), real_data.RealMusic(corpus_small_builder),
      ('classical', 'folk', 'early'), directory, seed=0)
  return evaluator_lib.FeatureEvaluator.load(directory), info


@pytest.mark.slow
def test_calibration_noise_cannot_pass(small_evaluator, corpus_small_builder):
  """Negatives are rejected and told apart; real test music is accepted."""
  evaluator, info = small_evaluator
  music = real_data.RealMusic(corpus_small_builder)
  assert info['validation'][512]['negatives_rejected'] == 1.0
  for genre in ('classical', 'folk'):
    rows = report.evaluate_genre(genre, _real_crops(music, genre), evaluator,
                                 None, music, seed=1)
    by_set = {row['set']: row for row in rows}
    assert set(by_set) == {'generated', 'real (test)', *negatives.KINDS}
    for kind in negatives.KINDS:
      assert by_set[kind]['fidelity'] <= 0.05, (genre, kind)
      assert by_set[kind]['reject_rate'] >= 0.95, (genre, kind)
      assert by_set[kind]['c2st_accuracy'] >= 0.9, (genre, kind)
    real = by_set['real (test)']
    assert real['fidelity'] >= 0.75, genre
    assert real['c2st_accuracy'] <= 0.8, genre
    # A key struck again ends a drone note: ~17 % of them pass 4 s, and
    # they sound for most of the time.
    assert by_set['drone']['held_note_share'] > 0.1
    assert real['held_note_share'] < 0.05
    assert by_set['drone']['held_time_share'] > 0.5
    assert real['held_time_share'] < by_set['drone']['held_time_share']
    # The reference (validation) crops' own, beside the real (test) row's.
    assert len({row['reference_held_time_share'] for row in rows}) == 1
    assert 'held time' in real['reference']
    for key in ('fidelity', 'c2st_accuracy', 'frechet_distance'):
      low, high = real[key + '_interval']
      assert low <= real[key] <= high


def _real_crops(music, genre):
  """Validation-split crops of 512 tokens: real music to pose as samples."""
  pieces = music.tokens('validation', genre)
  return negatives.crops_of(pieces, 24, 512, seed=4)
