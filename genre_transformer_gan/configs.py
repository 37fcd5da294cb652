"""Named configurations: `tiny` (tests), `small` (a 2-core CPU), `base` (TPU).

Each config holds the settings of every generator family (`transformer`,
`lstm`, `wavenet`); `generator` picks the one a run trains
(`genre_gan_train --generator=lstm` replaces it).

Configs are frozen: derive a variant with `dataclasses.replace`, never by
mutating a shared one. The generator families' settings are defined in
generator_configs.py and re-exported here.
"""

import dataclasses
from typing import Optional, Tuple

from genre_transformer_gan.generator_configs import LstmConfig
from genre_transformer_gan.generator_configs import TransformerConfig
from genre_transformer_gan.generator_configs import WaveNetConfig

# The embedded dataset (datasets.py builds it on first use).
DEFAULT_DATASET = 'corpus_genre/small'


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


@dataclasses.dataclass(frozen=True)
class SamplingConfig:
  """Decoding defaults: genre_gan_generate, the final report, the monitor.

  Attributes:
    temperature, top_k, top_p: generation/sampling.filter_logits (top_k 0
      and top_p 1.0: off).
    genre_temperatures: (genre, temperature) pairs that replace
      `temperature` for those genres (`temperature_for`).
    guidance: genre guidance of the final report and of genre_gan_generate
      when the run has a K+1 discriminator (generation/guidance.py).
  """
  temperature: float = 1.0
  top_k: int = 0
  top_p: float = 0.95
  genre_temperatures: Tuple[Tuple[str, float], ...] = ()
  guidance: str = 'none'

  def temperature_for(self, genre: Optional[str]) -> float:
    return dict(self.genre_temperatures).get(genre, self.temperature)


@dataclasses.dataclass(frozen=True)
class Config:
  """Everything a run needs besides its flags.

  Attributes:
    name: the CONFIG_MAP key.
    transformer: the Music Transformer; its max_len is `max_len`.
    generator: the family a run trains: 'transformer' (`transformer`), 'lstm'
      (`lstm`) or 'wavenet' (`wavenet`).
    lstm: the LSTM generator.
    wavenet: the WaveNet generator.
    dataset: TFDS name of the training data.
    batch_size: global batch size.
    train: MLE optimisation.
    classifier: the frozen genre classifier (and the critic's architecture).
    evaluator: the independent evaluator.
    adversarial: the Gumbel-softmax GAN stage.
    sampling: decoding defaults of the trained generator.
    genre_stage: how genre_gan_train tunes for its --genre: 'adversarial'
      (the GAN stage), 'mle' (MLE on that genre alone; the report then
      samples with `sampling.guidance` by the K+1 discriminator) or
      'mle_adversarial' (mle, then the GAN stage from that model).
    genre_stages: (genre, stage) pairs that replace `genre_stage` for those
      genres (`stage_for`).
  """
  name: str
  transformer: TransformerConfig
  generator: str = 'transformer'
  lstm: LstmConfig = LstmConfig()
  wavenet: WaveNetConfig = WaveNetConfig()
  dataset: str = DEFAULT_DATASET
  batch_size: int = 16
  train: TrainConfig = TrainConfig()
  classifier: ClassifierConfig = ClassifierConfig()
  evaluator: EvaluatorConfig = EvaluatorConfig()
  adversarial: AdversarialConfig = AdversarialConfig()
  sampling: SamplingConfig = SamplingConfig()
  genre_stage: str = 'adversarial'
  genre_stages: Tuple[Tuple[str, str], ...] = ()

  def stage_for(self, genre: Optional[str]) -> str:
    return dict(self.genre_stages).get(genre, self.genre_stage)

  @property
  def max_len(self) -> int:
    """The training sequence length of every generator family (genre token
    included). The transformer's config holds it, because its relative
    distances derive from it."""
    return self.transformer.max_len


CONFIG_MAP = {
    'tiny': Config(
        name='tiny',
        transformer=TransformerConfig(
            num_layers=2, hidden_size=32, num_heads=2, attention_size=32,
            filter_size=64, max_len=64, dropout=0.0),
        lstm=LstmConfig(num_layers=2, hidden_size=32, embedding_size=16),
        wavenet=WaveNetConfig(residual_channels=16, skip_channels=32,
                              dilations=(1, 2, 4, 8, 16, 32)),
        batch_size=4,
        # float32: tests give the same numbers on every CPU.
        train=TrainConfig(warmup_steps=20, learning_rate_constant=1.0,
                          precision='float32', checkpoint_every=10,
                          log_every=5, eval_every=10),
        evaluator=EvaluatorConfig(min_crop_len=64, max_crop_len=256,
                                  crops_per_piece=2,
                                  eval_crop_lengths=(64, 256))),
    'small': Config(
        name='small',
        # 4 heads of 64 and no dropout on the attention weights: on a CPU
        # 8 heads of 32 and that dropout cost 1.3x and 1.4x the step time
        # (BENCHMARKS.md, "Training").
        transformer=TransformerConfig(
            num_layers=4, hidden_size=256, num_heads=4, attention_size=256,
            filter_size=1024, max_len=512, dropout=0.1,
            attention_dropout=0.0),
        # About the transformer's parameter count (3.6M): LSTM 3.9M with
        # the same CPU time per step, WaveNet 2.8M at ~1/5 of it
        # (BENCHMARKS.md, "Generator families").
        lstm=LstmConfig(num_layers=2, hidden_size=512, embedding_size=128,
                        dropout=0.1),
        wavenet=WaveNetConfig(residual_channels=128, skip_channels=256,
                              dilations=(1, 2, 4, 8, 16, 32, 64, 128, 256) * 2,
                              dropout=0.1),
        batch_size=16,
        # A CPU run is minutes long: reach the peak rate (3.95e-3) early.
        # Transposition only: the corpus is scores, and stretching moved
        # the samples' onsets off their grid; without transposition too, a
        # run's 100 steps on 119 classical pieces overfit (test NLL 1.59
        # against 1.39). BENCHMARKS.md, "Augmentation".
        train=TrainConfig(learning_rate_constant=1.0, warmup_steps=250,
                          checkpoint_every=250, log_every=25,
                          eval_every=250, **AUGMENTATIONS['transpose']),
        classifier=ClassifierConfig(
            embedding_size=64, filters=96, kernel_size=5,
            dilations=(1, 2, 4, 8, 16), dropout=0.2, min_crop_len=64,
            max_crop_len=512, batch_size=32, steps=1500,
            learning_rate=2e-3, eval_crop_lengths=(64, 128, 256, 512)),
        # The GAN stage bench_gan.py's arm BK chose on folk validation music
        # (3 seeds; BENCHMARKS.md, "Does the GAN stage help?"): against the
        # K+1 discriminator (generated_class), 256-token rollouts with the
        # parallel gradient, straight-through feedback (the discriminator
        # reads hard tokens, as in its training) at a constant tau of 1,
        # kl_weight=10 toward the stage's start. realism_weight=0: the
        # critic's term cost fidelity and NLL at this scale (it is still
        # trained and logged). The earlier 64-token, annealed 'hard' stage
        # did not beat MLE alone.
        adversarial=AdversarialConfig(
            sample_len=256, batch_size=8, mle_batch_size=8,
            learning_rate=1e-4, critic_learning_rate=1e-4, realism_weight=0.0,
            kl_weight=10.0, feedback='straight_through',
            rollout_gradient='parallel', temperature_schedule='constant',
            initial_temperature=1.0, log_every=10, eval_every=50,
            checkpoint_every=50, eval_samples=8, generated_samples=256,
            generated_steps=300, generated_class=True),
        # Chosen on validation music: T 0.85 and top-p 0.95 (lowest Fréchet
        # distance to real classical; BENCHMARKS.md, "Decoding settings");
        # folk T 1.0. The genre stage: MLE on the genre, then (folk) the GAN
        # stage above from that model, and samples by discriminator
        # rejection sampling with the K+1 discriminator (rerank:4). On folk
        # that beat DRS on the MLE model, and DRS beat every other arm on
        # folk and classical (3 seeds each; classical's GAN stage from the
        # MLE model is not measured, so classical stops after MLE).
        sampling=SamplingConfig(temperature=0.85, top_p=0.95,
                                genre_temperatures=(('folk', 1.0),),
                                guidance='rerank:4'),
        genre_stage='mle', genre_stages=(('folk', 'mle_adversarial'),)),
    # Magenta score2perf's transformer_tpu-scale model.
    'base': Config(
        name='base',
        transformer=TransformerConfig(
            num_layers=8, hidden_size=384, num_heads=8, attention_size=512,
            filter_size=1024, max_len=2048, dropout=0.2),
        lstm=LstmConfig(num_layers=3, hidden_size=1024, embedding_size=256,
                        dropout=0.2),
        wavenet=WaveNetConfig(
            residual_channels=256, skip_channels=512,
            dilations=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512) * 3,
            dropout=0.2),
        dataset='lakh_genre/tagtraum_cd2c',
        batch_size=64,
        train=TrainConfig(warmup_steps=8000, label_smoothing=0.1,
                          precision='mixed_bfloat16', checkpoint_every=1000,
                          log_every=100, eval_every=1000, jit_compile=True),
        classifier=ClassifierConfig(
            embedding_size=128, filters=256, kernel_size=5,
            dilations=(1, 2, 4, 8, 16, 32, 64), dropout=0.2,
            min_crop_len=128, max_crop_len=2048, batch_size=64, steps=20000,
            learning_rate=1e-3,
            eval_crop_lengths=(128, 256, 512, 1024, 2048)),
        evaluator=EvaluatorConfig(max_crop_len=2048, crops_per_piece=4,
                                  eval_crop_lengths=(256, 512, 1024, 2048)),
        adversarial=AdversarialConfig(
            sample_len=512, primer_len=64, batch_size=64, mle_batch_size=64,
            rollout_gradient='parallel',
            log_every=50, eval_every=500, checkpoint_every=500,
            eval_samples=16, generated_samples=1024, generated_steps=2000)),
}


GENERATORS = ('transformer', 'lstm', 'wavenet')


def without_dropout(config: Config) -> Config:
  """`config` with every dropout off: for runs that must agree exactly
  (dropout masks differ per replica and with XLA)."""
  return dataclasses.replace(
      config,
      transformer=dataclasses.replace(config.transformer, dropout=0.0,
                                      attention_dropout=0.0),
      lstm=dataclasses.replace(config.lstm, dropout=0.0),
      wavenet=dataclasses.replace(config.wavenet, dropout=0.0),
      classifier=dataclasses.replace(config.classifier, dropout=0.0))


def get_config(name: str, generator: Optional[str] = None) -> Config:
  """The named config; `generator` replaces its generator family."""
  if name not in CONFIG_MAP:
    raise ValueError(f'Unknown config {name!r}; choose one of: '
                     f'{", ".join(CONFIG_MAP)}.')
  config = CONFIG_MAP[name]
  if generator is None or generator == config.generator:
    return config
  if generator not in GENERATORS:
    raise ValueError(f'Unknown generator {generator!r}; choose one of: '
                     f'{", ".join(GENERATORS)}.')
  return dataclasses.replace(config, generator=generator)
