"""The training stages' hyper-parameters (frozen dataclasses): MLE, the
genre classifier, the evaluator, the GAN stage and decoding.

The named configs that set them are in configs.py, which re-exports these
classes: use `configs.TrainConfig` etc.
"""

import dataclasses
from typing import Optional, Tuple


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  """MLE optimisation settings.

  Attributes:
    learning_rate_constant, warmup_steps: schedules.RsqrtWarmup.
    label_smoothing: cross-entropy label smoothing.
    clip_norm: global gradient-norm clipping.
    precision: 'auto', 'float32' or 'mixed_bfloat16' (matmuls in bfloat16,
      variables float32); 'auto' picks bfloat16 on a TPU and on CPUs with
      native bfloat16 matmuls (training/precision.py).
    keep_checkpoints: checkpoints kept by the CheckpointManager.
    checkpoint_every, log_every, eval_every: in steps.
    jit_compile: compile each replica's training step (MLE, classifier,
      GAN stage) with XLA. A TPU compiles everything anyway; on a GPU it
      fuses kernels; on a CPU it is mostly slower to start.
    genre_balance: MLE on several genres draws genre g with probability
      proportional to (its train examples) ** genre_balance: 1.0 as the
      data come (folk is 86 % of corpus_genre/full), 0.0 every genre
      equally.
    stretch_factors, max_transpose: MLE crops are stretched in time by one
      of stretch_factors and transposed by up to +-max_transpose semitones
      (data/augmentation.py; Magenta score2perf's). (1.0,) never stretches:
      stretching music whose onsets sit on a grid moves them off it at the
      10 ms resolution.
    length_balance: MLE draws a piece in proportion to (its crops of
      max_len - 1 tokens) ** length_balance: 0.0 every piece alike (a
      short chorale as often as a long quartet movement), 1.0 every token
      alike (pipeline.crops_per_piece).
  """
  learning_rate_constant: float = 2.0
  warmup_steps: int = 4000
  label_smoothing: float = 0.0
  clip_norm: float = 1.0
  precision: str = 'auto'
  keep_checkpoints: int = 3
  checkpoint_every: int = 500
  log_every: int = 50
  eval_every: int = 500
  jit_compile: bool = False
  genre_balance: float = 1.0
  stretch_factors: Tuple[float, ...] = (0.95, 0.975, 1.0, 1.025, 1.05)
  max_transpose: int = 3
  length_balance: float = 0.0

  def augmentation(self) -> dict:
    """pipeline.train_dataset's augmentation arguments."""
    return {'stretch_factors': self.stretch_factors,
            'max_transpose': self.max_transpose}


# TrainConfig's augmentation by name (genre_gan_train --augment).
AUGMENTATIONS = {
    'stretch': TrainConfig().augmentation(),
    'transpose': {'stretch_factors': (1.0,),
                  'max_transpose': TrainConfig.max_transpose},
    'none': {'stretch_factors': (1.0,), 'max_transpose': 0}}


@dataclasses.dataclass(frozen=True)
class ClassifierConfig:
  """The genre classifier (the frozen adversary) and its training.

  Attributes:
    embedding_size: token embedding width.
    filters: channels of the convolution blocks.
    kernel_size: convolution width.
    dilations: one residual block per entry (receptive field grows with
      their sum).
    dropout: after the embedding and inside each block.
    min_crop_len, max_crop_len: training crops have a length drawn
      uniformly from this range and a random offset.
    batch_size: crops per step.
    steps: optimisation steps.
    learning_rate: Adam's, with cosine decay to zero.
    augment: time stretch and transposition of training crops.
    eval_crop_lengths: crop lengths accuracy is reported for.
  """
  embedding_size: int = 32
  filters: int = 32
  kernel_size: int = 3
  dilations: Tuple[int, ...] = (1, 2, 4)
  dropout: float = 0.1
  min_crop_len: int = 16
  max_crop_len: int = 64
  batch_size: int = 16
  steps: int = 30
  learning_rate: float = 2e-3
  augment: bool = True
  eval_crop_lengths: Tuple[int, ...] = (16, 64)


@dataclasses.dataclass(frozen=True)
class EvaluatorConfig:
  """The independent feature-based genre evaluator (evaluation/).

  Attributes:
    model: 'gbt' (scikit-learn HistGradientBoostingClassifier) or 'logreg'
      (standardised logistic regression).
    min_crop_len, max_crop_len: training crops' length range (tokens).
    crops_per_piece: training crops taken from each real piece.
    eval_crop_lengths: crop lengths accuracy is reported for.
    negatives_per_crop: not_music training negatives per real crop.
    gate_neighbours: k of the realism gate's k-th nearest real crop.
    gate_quantile: the gate's threshold is this quantile of real
      validation crops' distances (about 1 - q of real music is rejected).
  """
  model: str = 'gbt'
  min_crop_len: int = 256
  max_crop_len: int = 1024
  crops_per_piece: int = 6
  eval_crop_lengths: Tuple[int, ...] = (256, 512, 1024)
  negatives_per_crop: float = 1.0
  gate_neighbours: int = 5
  gate_quantile: float = 0.99


@dataclasses.dataclass(frozen=True)
class AdversarialConfig:
  """Gumbel-softmax fine-tuning against the frozen classifier (adversarial.py).

  Attributes:
    sample_len: K, tokens per free-running rollout (after the genre token
      and the primer).
    primer_len: real events of the target genre before the rollout (0: the
      genre token alone).
    batch_size: rollouts per step (global).
    mle_batch_size: real sequences per step for the MLE regulariser.
    learning_rate, critic_learning_rate: Adam's, constant.
    clip_norm: global gradient-norm clipping (generator and critic).
    initial_temperature, final_temperature, temperature_schedule: tau of
      `softmax((logits + gumbel) / tau)` goes from initial to final over the
      run: 'exp' (RelGAN: tau_n = tau_0 (tau_N / tau_0)^(n / N)), 'linear'
      or 'constant' (initial throughout). RelGAN's inverse temperature
      beta_max is 1 / final_temperature (beta_max 10, 100, 1000: 0.1, 0.01,
      0.001).
    feedback: what a rollout feeds back and shows the judges
      (training/gumbel.py): 'soft' (the relaxed sample y_t), 'hard' (the
      sampled token is fed back, the judges see y_t; RelGAN) or
      'straight_through' (hard values, y_t's gradients).
    rollout_gradient: 'full' backpropagates through the whole cached
      rollout, fed-back samples included (memory grows with K^2);
      'parallel' recomputes the rollout's logits in one forward pass over
      the sampled inputs, so gradients reach every step's logits but not
      through the feedback (memory of one training step: for long K on TPU).
    realism_loss: 'rsgan' (relativistic standard GAN) or 'wgan_gp'.
    genre_weight, realism_weight, mle_weight, kl_weight: loss weights of
      the frozen classifier's cross-entropy, the critic's generator loss, the
      MLE regulariser and KL(generator || pre-trained generator).
    gradient_penalty: WGAN-GP's lambda.
    log_every, eval_every, checkpoint_every: in steps.
    eval_samples: samples drawn at each evaluation.
    generated_class: the adversary gets a K+1-th class, 'generated',
      fine-tuned on the starting generator's samples before the stage
      (training/generated_class.py); False: the genre classifier as trained.
    generated_samples, generated_steps: that class's samples of the
      starting generator (a quarter held out) and fine-tuning steps.
    term_gradient_norms: log the gradient norm of each generator loss term
      (genre, realism, kl, mle), at one backward pass per term.
    other_genre_primers: the share of rollouts whose primer_len-event
      primer is real music of another genre (the rollout must turn it into
      the target genre, as genre transfer asks); needs primer_len > 0.
  """
  sample_len: int = 24
  primer_len: int = 0
  batch_size: int = 4
  mle_batch_size: int = 4
  learning_rate: float = 1e-4
  critic_learning_rate: float = 1e-4
  clip_norm: float = 1.0
  initial_temperature: float = 1.0
  final_temperature: float = 0.1
  temperature_schedule: str = 'exp'
  feedback: str = 'soft'
  rollout_gradient: str = 'full'
  realism_loss: str = 'rsgan'
  genre_weight: float = 1.0
  realism_weight: float = 0.5
  mle_weight: float = 1.0
  kl_weight: float = 0.0
  gradient_penalty: float = 10.0
  log_every: int = 5
  eval_every: int = 10
  checkpoint_every: int = 10
  eval_samples: int = 4
  generated_class: bool = False
  generated_samples: int = 16
  generated_steps: int = 10
  term_gradient_norms: bool = False
  other_genre_primers: float = 0.0


# The n-gram cache's context lengths in tokens (models/ngram_cache.py),
# one weight each in SamplingConfig.cache_weights: a logit bonus of at most
# CACHE_MAX_WEIGHT (a copy the cache is sure of becomes e^20 times likelier:
# certain; more changes nothing).
CACHE_ORDERS = (1, 2, 3, 4, 6, 8, 12, 16)
CACHE_MAX_WEIGHT = 20.0
# A genre drawn with the cache is drawn at this fraction of the weights
# fitted to its generator by NLL on the genre's validation music: at the
# fitted weights a sample's repeats feed the cache and it loops (C2ST 0.65
# against 0.50 at half; BENCHMARKS.md, "Music that repeats itself").
# genre_gan_train fits them to the generator it trained
# (training/cache_fit.py).
CACHE_FIT_SCALE = 0.5


def check_cache_weights(weights) -> Tuple[float, ...]:
  """The cache weights as a tuple; () is off. ValueError names the fix."""
  weights = tuple(float(w) for w in weights)
  if weights and (len(weights) != len(CACHE_ORDERS) or not all(
      0.0 <= w <= CACHE_MAX_WEIGHT for w in weights)):
    raise ValueError(
        f'Cache weights must be {len(CACHE_ORDERS)} numbers from 0 to '
        f'{CACHE_MAX_WEIGHT} (one per context length {CACHE_ORDERS}), or '
        f'none (off); got {weights}.')
  return weights


def check_cache_fade(fade) -> float:
  """The cache's fade, in (0, 1]; ValueError names the fix."""
  if not 0.0 < float(fade) <= 1.0:
    raise ValueError(f'The cache fade must be in (0, 1] (1: no fading); got '
                     f'{fade}.')
  return float(fade)


@dataclasses.dataclass(frozen=True)
class SamplingConfig:
  """Decoding defaults: genre_gan_generate, the final report, the monitor.

  Attributes:
    temperature, top_k, top_p: generation/sampling.filter_logits (top_k 0
      and top_p 1.0: off).
    genre_temperatures: (genre, temperature) pairs that replace
      `temperature` for those genres (`temperature_for`).
    genre_top_p: (genre, top_p) pairs that replace `top_p` for those
      genres (`top_p_for`).
    guidance: genre guidance of the final report and of genre_gan_generate
      when the run has a K+1 discriminator (generation/guidance.py).
    genre_guidance: (genre, guidance) pairs that replace `guidance` for
      those genres (`guidance_for`).
    jit_compile: compile the sampler's loop with XLA (a few seconds per
      batch shape; then `small` samples 1.7x faster on a CPU; the same
      greedy tokens, other random draws for a seed).
    max_note_seconds: a note still sounding this long after it began ends
      there (notes.cap_seconds), in every sample genre_gan_generate writes
      and the final report judges; None: off.
    cache_weights: draw from the generator with its logits boosted by an
      n-gram cache over the sample's own past, one weight per context
      length (models/ngram_cache.py, fitted by NLL on validation
      music); (): the generator alone. Also the NLL the final report gives.
      genre_gan_train fits the weights of every genre drawn with the cache
      to the generator it trained (CACHE_FIT_SCALE of them), and
      generator_io.load_generator draws that generator at them.
    genre_cache_weights: (genre, weights) pairs that replace
      `cache_weights` for those genres (`cache_weights_for`).
    cache_fade: the bonus of a context heard n times before is faded by
      cache_fade ** (n - 1), so a sample that loops stops feeding its loop
      (1: no fading).
  """
  temperature: float = 1.0
  top_k: int = 0
  top_p: float = 0.95
  genre_temperatures: Tuple[Tuple[str, float], ...] = ()
  genre_top_p: Tuple[Tuple[str, float], ...] = ()
  guidance: str = 'none'
  genre_guidance: Tuple[Tuple[str, str], ...] = ()
  jit_compile: bool = False
  max_note_seconds: Optional[float] = None
  cache_weights: Tuple[float, ...] = ()
  genre_cache_weights: Tuple[Tuple[str, Tuple[float, ...]], ...] = ()
  cache_fade: float = 1.0

  def __post_init__(self):
    for weights in (self.cache_weights,) + tuple(
        w for _, w in self.genre_cache_weights):
      check_cache_weights(weights)
    check_cache_fade(self.cache_fade)
    for genre, top_p in ((None, self.top_p),) + tuple(self.genre_top_p):
      if not 0 < top_p <= 1:
        raise ValueError(f'top_p must be in (0, 1], not {top_p}' + (
            f' for {genre}.' if genre else '.'))
    if self.max_note_seconds is not None and not self.max_note_seconds > 0:
      raise ValueError('max_note_seconds must be > 0 or None (off), not '
                       f'{self.max_note_seconds}.')

  def temperature_for(self, genre: Optional[str]) -> float:
    return dict(self.genre_temperatures).get(genre, self.temperature)

  def top_p_for(self, genre: Optional[str]) -> float:
    return dict(self.genre_top_p).get(genre, self.top_p)

  def guidance_for(self, genre: Optional[str]) -> str:
    return dict(self.genre_guidance).get(genre, self.guidance)

  def cache_weights_for(self, genre: Optional[str]) -> Tuple[float, ...]:
    return tuple(dict(self.genre_cache_weights).get(genre,
                                                    self.cache_weights))

  def with_genre_cache(self, genre: str, weights) -> 'SamplingConfig':
    """This config, `genre` drawn with the cache at `weights`."""
    others = tuple((g, w) for g, w in self.genre_cache_weights if g != genre)
    return dataclasses.replace(self, genre_cache_weights=others + (
        (genre, check_cache_weights(weights)),))

  def cache_for(self, genre: Optional[str]) -> dict:
    """The n-gram cache `genre` is drawn with, as the keyword arguments of
    Sampler, guidance.make_sampler and likelihood.genre_nll:
    {'cache_weights': cache_weights_for(genre), 'cache_fade': ...}."""
    return {'cache_weights': self.cache_weights_for(genre),
            'cache_fade': self.cache_fade}
