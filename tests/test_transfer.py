"""Genre transfer strength: windows, the two formulas, and their negatives."""

import numpy as np
import pytest

from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import transfer

GENRES = ('classical', 'folk')
LOW, HIGH = vocab.NUM_RESERVED, vocab.NUM_RESERVED + 100  # "classical" range
NOISE = vocab.GENRE_OFFSET - 1  # tokens the judge rejects


class _Judge:
  """Calls a stream classical when its tokens are low, folk when high,
  and rejects a stream with any NOISE token."""

  genres = GENRES

  def verdicts(self, token_lists):
    probabilities, judged = [], []
    for tokens in token_lists:
      tokens = np.asarray(tokens)
      classical = float(np.mean(tokens < HIGH))
      probabilities.append([classical, 1 - classical, 0.0])
      judged.append(evaluator_lib.REJECTED if (tokens == NOISE).any()
                    else int(classical < 0.5))
    return {'judged': np.array(judged), 'probabilities': np.array(
        probabilities)}


def _generator(kind, rng):
  """continue_fn: 'faithful' follows the genre token, 'deaf' ignores it."""
  def continue_fn(genre_token, primers, length):
    folk = genre_token == vocab.GENRE_OFFSET + GENRES.index('folk')
    if kind == 'noise':
      return np.full([len(primers), length], NOISE, np.int32)
    if kind == 'deaf':
      folk = False
    low, high = (HIGH, vocab.GENRE_OFFSET - 1) if folk else (LOW, HIGH)
    return rng.integers(low, high, [len(primers), length]).astype(np.int32)
  return continue_fn


def _measure(kind):
  rng = np.random.default_rng(0)
  pieces = [rng.integers(LOW, HIGH, 700) for _ in range(20)]
  primers, real, owners = transfer.windows(pieces, 64, 128, 32)
  return transfer.measure(_generator(kind, rng), vocab.Vocabulary(GENRES),
                          _Judge(), primers, real, 'classical', 'folk',
                          pieces=owners)


def test_windows_take_the_pieces_in_turn():
  pieces = [np.arange(10) + 100 * i for i in range(3)]
  pieces.append(np.arange(3))  # too short for a window
  primers, real, owners = transfer.windows(pieces, 2, 3, 5)
  assert primers.shape == (5, 2) and real.shape == (5, 3)
  # Piece 0, 1, 2 first windows, then their second ones.
  np.testing.assert_array_equal(primers[:, 0], [0, 100, 200, 5, 105])
  np.testing.assert_array_equal(owners, [0, 1, 2, 0, 1])
  np.testing.assert_array_equal(real[0], [2, 3, 4])
  overlapping, _, owners = transfer.windows(pieces[:1], 2, 3, 10, stride=2)
  np.testing.assert_array_equal(overlapping[:, 0], [0, 2, 4])
  np.testing.assert_array_equal(owners, [0, 0, 0])
  empty, _, _ = transfer.windows([np.arange(3)], 2, 3, 5)
  assert empty.shape == (0, 2)


def test_piece_bootstrap_is_wider_than_the_windows_pretend():
  # Two pieces, many identical windows each: 2 pieces, not 40 samples.
  values = np.repeat([0.0, 1.0], 20)
  groups = np.repeat([0, 1], 20)
  by_piece = transfer.piece_bootstrap_interval(values, groups)
  by_window = transfer.piece_bootstrap_interval(values, np.arange(40))
  assert by_piece[0] == 0.0 and by_piece[1] == 1.0
  assert by_window[0] > 0.2 and by_window[1] < 0.8


def test_formulas_by_hand():
  same = np.array([[0.9, 0.1], [0.6, 0.2]])
  moved = np.array([[0.2, 0.7], [0.0, 0.0]])  # second: rejected
  real = np.array([[1.0, 0.0], [0.8, 0.2]])
  np.testing.assert_allclose(transfer.strength(same, moved, 0, 1),
                             [0.5 * (0.7 + 0.6), 0.5 * (0.6 - 0.2)])
  np.testing.assert_allclose(transfer.strength_brunner(real, same, moved, 0),
                             [0.5 * (0.8 + 0.7), 0.5 * (0.8 + 0.6)])


def test_a_faithful_generator_transfers():
  result = _measure('faithful')
  assert result['primers'] == 32 and result['pieces'] == 20
  assert result['strength'] > 0.9 and result['judged_target'] == 1.0
  assert result['strength_interval'][0] > 0.9


@pytest.mark.parametrize('kind', ['deaf', 'noise'])
def test_ignoring_the_genre_or_making_noise_scores_zero(kind):
  result = _measure(kind)
  assert abs(result['strength']) < 0.05
  if kind == 'noise':
    # Brunner's form rewards noise: what the headline form is there for.
    assert result['rejected'] == 1.0 and result['strength_brunner'] > 0.4


def test_accepted_probabilities_zero_the_rejected():
  probabilities, rejected = transfer.accepted_probabilities(
      _Judge(), [np.full(5, LOW), np.full(5, NOISE)])
  np.testing.assert_array_equal(rejected, [False, True])
  np.testing.assert_allclose(probabilities, [[1.0, 0.0], [0.0, 0.0]])
