"""Genre transfer strength of a genre-conditioned generator.

Brunner et al. (2018, "Symbolic music genre transfer with CycleGAN") score a
transfer of a piece x_A of genre A into genre B with a genre classifier's
probability P_A:

  S_A->B = 1/2 [P_A(x_A) - P_A(x̂_B) + P_A(x̃_A) - P_A(x̂_B)],

x̂_B the transferred piece and x̃_A its cycle back to A; S_tot is the mean of
S_A->B and S_B->A (their CycleGAN: about 70 % on jazz <-> classic).

A conditioned generator transfers by continuation. A primer of genre A (the
first tokens of a window of a held-out piece) is continued by the generator
conditioned on B (x̂_B) and on A (x̃_A, the stand-in for the reconstruction);
x_A is the real piece's own continuation, of the same length. Only the
continuations are judged, by the independent evaluator, and a continuation
it rejects counts as no genre (P = 0 for every genre).

Brunner's form rewards any move away from A: continuations the evaluator
rejects (noise) score P_A(x_A) / 2, about 0.5. So the headline here is the
move from A *to B*, both against the same primer continued in A:

  S_A->B = 1/2 [P_A(x̃_A) - P_A(x̂_B) + P_B(x̂_B) - P_B(x̃_A)],

1 for a perfect transfer, 0 for a generator that ignores its genre token
and for noise; Brunner's form is reported beside it (`strength_brunner`).
"""

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import realism


def windows(pieces: Sequence[np.ndarray], primer_tokens: int, length: int,
            count: int, stride: int = 0
            ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
  """`count` (primer, real continuation) pairs cut from `pieces`.

  Windows of primer_tokens + length starting every `stride` tokens (0: the
  window's size, no overlap), taking the pieces in turn (piece 0's first
  window, piece 1's first, ..., piece 0's second, ...); shorter pieces give
  none.

  Returns:
    (int32 [n, primer_tokens] primers, int32 [n, length] continuations,
     int [n] index of each window's piece), n = min(count, windows there).
  """
  size = primer_tokens + length
  stride = stride or size
  per_piece = [[tokens[start:start + size]
                for start in range(0, len(tokens) - size + 1, stride)]
               for tokens in pieces]
  chosen, owners = [], []
  for depth in range(max((len(w) for w in per_piece), default=0)):
    for piece, piece_windows in enumerate(per_piece):
      if depth < len(piece_windows):
        chosen.append(piece_windows[depth])
        owners.append(piece)
  chosen, owners = chosen[:count], np.array(owners[:count], np.int64)
  if not chosen:
    return (np.zeros([0, primer_tokens], np.int32),
            np.zeros([0, length], np.int32), owners)
  stacked = np.stack(chosen).astype(np.int32)
  return stacked[:, :primer_tokens], stacked[:, primer_tokens:], owners


def piece_bootstrap_interval(values: np.ndarray, groups: np.ndarray,
                             seed: int = 0) -> list:
  """95 % interval of the mean of `values`, resampling whole groups.

  Overlapping windows of one piece are not independent; resampling pieces
  keeps the interval honest about how many pieces there are.
  """
  values, groups = np.asarray(values), np.asarray(groups)
  members = [values[groups == g] for g in np.unique(groups)]
  return realism.bootstrap_interval(
      np.arange(len(members)), lambda picked: np.mean(np.concatenate(
          [members[i] for i in picked])), seed=seed)


def accepted_probabilities(evaluator, token_lists) -> Tuple[np.ndarray,
                                                             np.ndarray]:
  """(float [N, G] genre probabilities, 0 where rejected; bool [N] rejected)."""
  judged = evaluator.verdicts(list(token_lists))
  rejected = judged['judged'] == evaluator_lib.REJECTED
  genres = judged['probabilities'][:, :len(evaluator.genres)]
  return genres * ~rejected[:, None], rejected


def continue_primers(sampler, genre_token: int,
                     primers: np.ndarray, length: int, seed: int = 0,
                     batch_size: int = 32) -> np.ndarray:
  """int32 [n, length]: each primer continued after [genre_token] + primer.

  `sampler` is a generation.sampling.Sampler (or anything with its
  `generate(prompts, num_tokens, seed)`); evaluation does not import the
  generation stage.
  """
  out = [np.zeros([0, length], np.int32)]
  for start in range(0, len(primers), batch_size):
    batch = primers[start:start + batch_size]
    prompts = np.concatenate(
        [np.full([len(batch), 1], genre_token, np.int32), batch], axis=1)
    tokens = sampler.generate(prompts, length, seed=seed * 7919 + start)
    out.append(tokens[:, prompts.shape[1]:])
  return np.concatenate(out, axis=0)


def strength(same: np.ndarray, transferred: np.ndarray, a: int,
             b: int) -> np.ndarray:
  """Per primer 1/2 [P_A(x̃_A) - P_A(x̂_B) + P_B(x̂_B) - P_B(x̃_A)].

  Args:
    same, transferred: float [n, G] accepted genre probabilities of the
      continuations conditioned on A and on B.
    a, b: the genre indices of A and B.
  """
  return 0.5 * (same[:, a] - transferred[:, a] +
                transferred[:, b] - same[:, b])


def strength_brunner(real: np.ndarray, same: np.ndarray,
                     transferred: np.ndarray, a: int) -> np.ndarray:
  """Per primer 1/2 [P_A(x_A) - P_A(x̂_B) + P_A(x̃_A) - P_A(x̂_B)]."""
  return 0.5 * (real[:, a] - transferred[:, a] +
                same[:, a] - transferred[:, a])


def measure(continue_fn: Callable, vocabulary, evaluator,
            primers: np.ndarray, real: np.ndarray, source: str,
            target: str, pieces: Optional[np.ndarray] = None) -> Dict:
  """S_source->target of one generator, with what the evaluator judged.

  Args:
    continue_fn: (genre token, int32 [n, P] primers, length) -> int32
      [n, length] continuations (e.g. `continue_primers` of a sampler).
    vocabulary: the generator's vocab.Vocabulary.
    evaluator: the independent evaluator (evaluator.Evaluator).
    primers, real: int32 [n, P] and [n, L] from `windows`.
    source, target: genre names (A and B).
    pieces: int [n] piece of each primer (from `windows`): the interval
      resamples pieces; None: each primer its own.

  Returns:
    {'strength', 'strength_interval' (95 % bootstrap over pieces),
     'strength_brunner', 'p_source_real', 'p_source_same',
     'p_source_transferred', 'p_target_same', 'p_target_transferred',
     'judged_target' / 'judged_source' / 'rejected' (shares of the
     transferred continuations), 'rejected_same', 'primers'}.
  """
  a = list(evaluator.genres).index(source)
  b = list(evaluator.genres).index(target)
  length = real.shape[1]
  same = continue_fn(vocabulary.genre_token(source), primers, length)
  moved = continue_fn(vocabulary.genre_token(target), primers, length)
  p_real, _ = accepted_probabilities(evaluator, real)
  p_same, rejected_same = accepted_probabilities(evaluator, same)
  p_moved, rejected = accepted_probabilities(evaluator, moved)
  scores = strength(p_same, p_moved, a, b)
  judged = np.where(rejected, -1, p_moved.argmax(-1))
  return {
      'strength': float(scores.mean()),
      'strength_interval': piece_bootstrap_interval(
          scores, np.arange(len(scores)) if pieces is None else pieces),
      'strength_brunner': float(strength_brunner(p_real, p_same, p_moved,
                                                 a).mean()),
      'p_source_real': float(p_real[:, a].mean()),
      'p_source_same': float(p_same[:, a].mean()),
      'p_source_transferred': float(p_moved[:, a].mean()),
      'p_target_same': float(p_same[:, b].mean()),
      'p_target_transferred': float(p_moved[:, b].mean()),
      'judged_target': float(np.mean(judged == b)),
      'judged_source': float(np.mean(judged == a)),
      'rejected': float(rejected.mean()),
      'rejected_same': float(rejected_same.mean()),
      'primers': int(len(primers)),
      'pieces': int(len(np.unique(pieces))) if pieces is not None else
                int(len(primers)),
  }


def total(rows: List[Dict], key: str = 'strength') -> float:
  """S_tot: the mean of `key` over the directions in `rows`."""
  return float(np.mean([row[key] for row in rows]))
