"""Genre guidance at sampling time: what `genre_gan_generate --guidance` does.

  none        plain sampling.
  rerank:N    best-of-N. N candidates are drawn for every sample and the
              frozen genre classifier (the GAN stage's adversary; never the
              independent evaluator, which stays the judge) keeps the one
              whose weakest window is most the target genre:
                score = min over windows of log p(target | window);
              scores equal to 3 decimals (a saturated classifier) go to the
              candidate the generator itself finds likeliest (mean log p per
              token). With a classifier that has a 'generated' class this is
              discriminator rejection sampling in its best-of-N form (Azadi
              et al. 2019). Costs N times the sampling plus the classifier.
              Best-of-N seeks the mode: it keeps the candidate most typical
              of the genre to the classifier, not one distributed as real
              music is.
  drs:N       discriminator importance resampling (needs a classifier with
              a 'generated' class): of N candidates, one is drawn with
              probability proportional to the discriminator's density
              ratio p_real(x | genre) / p_generated(x), estimated per window
              as p(genre | w) / p(generated | w) and averaged in log over
              the windows (Grover et al. 2019's likelihood-free importance
              weighting; Azadi et al. 2019's rejection sampling draws from
              the same distribution as N grows). Unlike rerank it corrects
              toward the real distribution instead of its mode. Costs N
              times the sampling plus the classifier.
  chunk:N     chunked reranking: every CHUNK (64) tokens, N continuations
              of each sample are drawn and the one whose last WINDOW tokens
              the classifier finds most the genre is kept, so a sample is
              steered all along rather than chosen whole. About 2N times
              the sampling (each chunk re-reads its context).
  cfg:G       classifier-free guidance on the genre token with gamma G
              (sampling.guided_logits): costs (number of genres) times the
              sampling.

All leave the samples of a seed unchanged at N = 1 or G = 0.
"""

import dataclasses
import weakref

import numpy as np
import tensorflow as tf

from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import genre_classifier

KINDS = ('none', 'rerank', 'drs', 'chunk', 'cfg')
CHUNK = 64  # tokens per chunk of chunk:N
WINDOW = 256  # tokens per window the classifier scores
HOP = 128
TIE_DECIMALS = 3
_DRAWS = ('rerank', 'drs', 'chunk')  # The kinds that draw N candidates.

# The generator's forward pass, compiled once per model and held weakly:
# chunk:N scores every chunk, and a new tf.function per call would trace
# again each time.
_FORWARD = weakref.WeakKeyDictionary()


def _forward(model):
  """int32 [1, L] -> [1, L, V] logits (one trace for every length)."""
  if model not in _FORWARD:
    ref = weakref.ref(model)
    _FORWARD[model] = tf.function(
        lambda x: ref()(x, training=False), autograph=False,
        input_signature=[tf.TensorSpec([1, None], tf.int32)])
  return _FORWARD[model]


@dataclasses.dataclass(frozen=True)
class Guidance:
  """A parsed --guidance: kind and its amount (N for rerank and chunk, G
  for cfg)."""
  kind: str = 'none'
  amount: float = 0.0

  @classmethod
  def parse(cls, spec: str) -> 'Guidance':
    """'none', 'rerank:N', 'drs:N', 'chunk:N' (N >= 1) or 'cfg:G'
    (G >= 0); else ValueError."""
    kind, _, amount = (spec or 'none').partition(':')
    usage = (f'--guidance={spec} is not understood; use none, rerank:N, '
             'drs:N or chunk:N (N >= 1 candidates) or cfg:G (G >= 0).')
    if kind not in KINDS or (kind == 'none') != (not amount):
      raise ValueError(usage)
    if kind == 'none':
      return cls()
    try:
      value = float(amount)
    except ValueError:
      raise ValueError(usage) from None
    if (kind in _DRAWS and (value < 1 or value != int(value))
        ) or (
        kind == 'cfg' and not value >= 0):
      raise ValueError(usage)
    return cls(kind, value)

  @property
  def candidates(self) -> int:
    """Candidates drawn per sample or chunk (1 unless reranking)."""
    return int(self.amount) if self.kind in _DRAWS else 1

  @property
  def scale(self) -> float:
    """Classifier-free guidance gamma (0 unless cfg)."""
    return self.amount if self.kind == 'cfg' else 0.0

  def check_classifier(self, classifier) -> None:
    """Raises ValueError (one line) if reranking has no classifier, or
    drs has one without a 'generated' class."""
    if self.candidates > 1 and classifier is None:
      raise ValueError(
          f'--guidance={self.kind}:{self.candidates} needs the frozen genre '
          'classifier: pass --classifier_path (genre_classifier_train writes '
          'one), or use --guidance=cfg:G.')
    if (self.kind == 'drs' and self.candidates > 1 and
        genre_classifier.GENERATED not in classifier.genres):
      raise ValueError(
          f'--guidance=drs:{self.candidates} needs a discriminator with the '
          f"class '{genre_classifier.GENERATED}' (genre_gan_train "
          '--generated_class writes one); with a genre classifier use '
          f'--guidance=rerank:{self.candidates}.')

  def sampling_cost(self, num_genres: int) -> float:
    """Sampling time relative to plain sampling, roughly (measured, `small`,
    8 x 512 tokens: rerank:4 2.9x, chunk:4 8.5x, cfg 2.1x with 3 genres;
    BENCHMARKS.md)."""
    if self.kind == 'cfg' and self.scale:
      return float(num_genres)
    if self.kind == 'chunk':  # Each chunk re-reads its whole context.
      return 2.0 * self.candidates
    return float(self.candidates)


def _windows(tokens: np.ndarray, window: int, hop: int):
  """Start offsets covering tokens with windows of `window`, the last one
  ending at the end (one window if the sequence is shorter)."""
  if len(tokens) <= window:
    return [0]
  starts = list(range(0, len(tokens) - window + 1, hop))
  if starts[-1] != len(tokens) - window:
    starts.append(len(tokens) - window)
  return starts


def _window_log_probabilities(classifier, token_lists, window: int, hop: int,
                              batch_size: int):
  """(float [C, K] log p(class | window) of every window, int [C] the
  sequence each window belongs to)."""
  crops, owner = [], []
  for i, tokens in enumerate(token_lists):
    tokens = np.asarray(tokens, np.int32)
    for start in _windows(tokens, window, hop):
      crops.append(tokens[start:start + window])
      owner.append(i)
  return (genre_classifier.log_probabilities(classifier, crops, batch_size),
          np.array(owner, np.int64))


def _check_genre(classifier, genre: str) -> int:
  if genre not in classifier.genres:
    raise ValueError(f'The frozen classifier knows '
                     f'{", ".join(classifier.genres)}, not {genre}; pass a '
                     '--classifier_path trained with it.')
  return classifier.genres.index(genre)


def window_scores(classifier, token_lists, genre: str, window: int = WINDOW,
                  hop: int = HOP, batch_size: int = 64) -> np.ndarray:
  """float [N]: min over windows of the classifier's log p(genre | window).

  Args:
    classifier: a frozen models/genre_classifier.GenreClassifier.
    token_lists: N event-token sequences (no genre token).
  """
  target = _check_genre(classifier, genre)
  log_p, owner = _window_log_probabilities(classifier, token_lists, window,
                                           hop, batch_size)
  result = np.full(len(token_lists), np.inf)
  np.minimum.at(result, owner, log_p[:, target])
  return result


def log_density_ratios(classifier, token_lists, genre: str,
                       window: int = WINDOW, hop: int = HOP,
                       batch_size: int = 64) -> np.ndarray:
  """float [N]: mean over windows of log p(genre | w) - log p(generated | w),
  a K+1 discriminator's estimate of log p_real(x | genre) / p_generated(x)
  up to a constant (its classes were weighted alike in training).

  Args:
    classifier: a frozen GenreClassifier with the class 'generated'.
    token_lists: N event-token sequences (no genre token).
  """
  target = _check_genre(classifier, genre)
  if genre_classifier.GENERATED not in classifier.genres:
    raise ValueError(
        f"The density ratio needs a discriminator with the class "
        f"'{genre_classifier.GENERATED}' (genre_gan_train --generated_class "
        'writes one); this classifier knows '
        f'{", ".join(classifier.genres)}.')
  generated = classifier.genres.index(genre_classifier.GENERATED)
  log_p, owner = _window_log_probabilities(classifier, token_lists, window,
                                           hop, batch_size)
  ratios = log_p[:, target] - log_p[:, generated]
  return (np.bincount(owner, ratios, len(token_lists)) /
          np.bincount(owner, minlength=len(token_lists)))


def resample(log_ratios: np.ndarray, seed: int) -> np.ndarray:
  """int [B]: per row of [B, N] log importance weights, an index drawn with
  probability proportional to exp(weight) (sampling-importance-resampling).
  """
  weights = np.exp(log_ratios - log_ratios.max(axis=-1, keepdims=True))
  weights /= weights.sum(axis=-1, keepdims=True)
  rng = np.random.default_rng(seed)
  return np.array([rng.choice(len(row), p=row) for row in weights])


def log_likelihood(model, token_lists, genre_token: int) -> np.ndarray:
  """float [N]: mean log p per token of each sequence under the generator.

  Each sequence is scored in consecutive windows of model.max_len - 1
  tokens, each preceded by the genre token (the contexts sampling uses).
  """
  call = _forward(model)
  result = []
  for tokens in token_lists:
    tokens = np.asarray(tokens, np.int32)
    total, count = 0.0, 0
    for start in range(0, len(tokens), model.max_len - 1):
      chunk = np.concatenate([[genre_token],
                              tokens[start:start + model.max_len - 1]])
      logits = call(tf.constant(chunk[None, :-1], tf.int32))
      log_p = tf.nn.log_softmax(tf.cast(logits[0], tf.float32)).numpy()
      total += float(log_p[np.arange(len(chunk) - 1), chunk[1:]].sum())
      count += len(chunk) - 1
    result.append(total / max(count, 1))
  return np.array(result)


def best_of(scores: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
  """int [B]: per row of [B, N] candidates, the index of the best one.

  Highest score (rounded to TIE_DECIMALS) first, then highest likelihood.
  """
  rounded = np.round(scores, TIE_DECIMALS)
  order = np.lexsort((-likelihood, -rounded), axis=-1)
  return order[:, 0]


def rerank(candidates: np.ndarray, classifier, model, genre: str,
           genre_token: int, skip: int = 0) -> np.ndarray:
  """The best of each sample's candidates.

  Args:
    candidates: int [B, N, L] event tokens (no genre token).
    skip: leading tokens not scored (a primer).

  Returns:
    int [B, L].
  """
  return _choose(candidates, skip, lambda flat, shape: best_of(
      window_scores(classifier, flat, genre).reshape(shape),
      log_likelihood(model, flat, genre_token).reshape(shape)))


def importance_resample(candidates: np.ndarray, classifier, genre: str,
                        seed: int, skip: int = 0) -> np.ndarray:
  """One of each sample's candidates, drawn by the K+1 discriminator's
  density ratio (drs:N).

  Args:
    candidates: int [B, N, L] event tokens (no genre token).
    seed: the draw's.
    skip: leading tokens not scored (a primer).

  Returns:
    int [B, L].
  """
  return _choose(candidates, skip, lambda flat, shape: resample(
      log_density_ratios(classifier, flat, genre).reshape(shape), seed))


def _choose(candidates: np.ndarray, skip: int, pick) -> np.ndarray:
  """int [B, L]: of candidates [B, N, L], row b's candidate pick(flat,
  (B, N))[b], where flat lists the B * N candidates without their first
  `skip` tokens (row-major); N = 1 returns them unscored."""
  batch, count, _ = candidates.shape
  if count == 1:
    return candidates[:, 0]
  flat = [row[skip:] for row in candidates.reshape(batch * count, -1)]
  return candidates[np.arange(batch), pick(flat, (batch, count))]


def make_sampler(model, vocabulary, genre: str, steer: Guidance,
                 temperature=1.0, top_k=0, top_p=1.0,
                 jit_compile=False, cache_weights=(),
                 cache_fade=1.0) -> sampling.Sampler:
  """A Sampler for `genre` with steer's classifier-free guidance (if any)."""
  return sampling.Sampler(
      model, temperature, top_k, top_p, jit_compile=jit_compile,
      guidance_scale=steer.scale, cache_weights=cache_weights,
      cache_fade=cache_fade,
      other_genre_tokens=[vocabulary.genre_token(g)
                          for g in vocabulary.genres if g != genre])


def draw(sampler: sampling.Sampler, steer: Guidance, prompts, num_tokens: int,
         seed: int, classifier, genre: str, with_candidates: bool = False,
         on_window=None):
  """int32 [B, P - 1 + num_tokens]: prompts [B, P] (genre token first)
  continued, the genre token dropped; with rerank:N the best of N each,
  with drs:N one of N drawn by its density ratio, with chunk:N the best of
  N every CHUNK tokens (the prompt after the genre token, a primer, is not
  scored).

  with_candidates: also return the int32 [B, N, P - 1 + num_tokens]
  candidates rerank:N / drs:N chose from (None for chunk:N). Each
  candidate is a plain sample of the sampler, so candidates[:, 0] is an
  unguided sample set as long as the chosen one. on_window: as
  Sampler.generate's (plain, rerank and drs draws).
  """
  steer.check_classifier(classifier)
  prompts = np.asarray(prompts, np.int32)
  if steer.kind == 'chunk' and steer.candidates > 1:
    chosen = _draw_in_chunks(sampler, steer.candidates, prompts, num_tokens,
                             seed, classifier, genre)
    return (chosen, None) if with_candidates else chosen
  tokens = sampler.generate(np.repeat(prompts, steer.candidates, axis=0),
                            num_tokens, seed=seed, on_window=on_window)[:, 1:]
  candidates = tokens.reshape(len(prompts), steer.candidates, -1)
  if steer.kind == 'drs':
    chosen = importance_resample(candidates, classifier, genre, seed,
                                 skip=prompts.shape[1] - 1)
  else:
    chosen = rerank(candidates, classifier, sampler.model, genre,
                    int(prompts[0, 0]), skip=prompts.shape[1] - 1)
  return (chosen, candidates) if with_candidates else chosen


def _draw_in_chunks(sampler, count, prompts, num_tokens, seed, classifier,
                    genre):
  """chunk:N: every CHUNK tokens the best of `count` continuations by the
  classifier's log p(genre) of the last WINDOW generated tokens (ties: the
  first drawn)."""
  rows = prompts
  skip = prompts.shape[1]
  for index, start in enumerate(range(0, num_tokens, CHUNK)):
    size = min(CHUNK, num_tokens - start)
    candidates = sampler.generate(np.repeat(rows, count, axis=0), size,
                                  seed=seed * 7919 + index)
    tails = [row[max(skip, len(row) - WINDOW):] for row in candidates]
    scores = window_scores(classifier, tails, genre, window=WINDOW)
    best = best_of(scores.reshape(len(rows), count),
                   np.zeros([len(rows), count]))
    rows = candidates.reshape(len(rows), count, -1)[np.arange(len(rows)),
                                                    best]
  return rows[:, 1:]
