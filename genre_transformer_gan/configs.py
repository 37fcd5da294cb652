"""Named configurations: `tiny` (tests), `small` (a 2-core CPU), `base` (TPU).

Each config holds the settings of every generator family (`transformer`,
`lstm`, `wavenet`); `generator` picks the one a run trains
(`genre_gan_train --generator=lstm` replaces it).

Configs are frozen: derive a variant with `dataclasses.replace`, never by
mutating a shared one. The generator families' settings are defined in
generator_configs.py, the training stages' in stage_configs.py; both are
re-exported here.
"""

import dataclasses
from typing import Optional, Tuple

from genre_transformer_gan.generator_configs import LstmConfig
from genre_transformer_gan.generator_configs import TransformerConfig
from genre_transformer_gan.generator_configs import WaveNetConfig
from genre_transformer_gan.stage_configs import AUGMENTATIONS
from genre_transformer_gan.stage_configs import CACHE_FIT_SCALE
from genre_transformer_gan.stage_configs import CACHE_MAX_WEIGHT
from genre_transformer_gan.stage_configs import CACHE_ORDERS
from genre_transformer_gan.stage_configs import check_cache_fade
from genre_transformer_gan.stage_configs import check_cache_weights
from genre_transformer_gan.stage_configs import AdversarialConfig
from genre_transformer_gan.stage_configs import ClassifierConfig
from genre_transformer_gan.stage_configs import EvaluatorConfig
from genre_transformer_gan.stage_configs import SamplingConfig
from genre_transformer_gan.stage_configs import TrainConfig

# The embedded dataset (datasets.py builds it on first use).
DEFAULT_DATASET = 'corpus_genre/small'


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
      samples with `sampling.guidance_for` the genre by the K+1
      discriminator) or
      'mle_adversarial' (mle, then the GAN stage from that model).
    genre_stages: (genre, stage) pairs that replace `genre_stage` for those
      genres (`stage_for`).
    genre_augmentations: (genre, AUGMENTATIONS name) pairs: how the genre
      stage augments that genre's MLE crops (and the GAN stage's MLE term),
      in place of `train`'s setting (`for_genre`).
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
  genre_augmentations: Tuple[Tuple[str, str], ...] = ()

  def __post_init__(self):
    unknown = sorted({name for _, name in self.genre_augmentations}
                     - set(AUGMENTATIONS))
    if unknown:
      raise ValueError(f'Unknown augmentation {unknown[0]!r} in '
                       'genre_augmentations; choose one of: '
                       f'{", ".join(AUGMENTATIONS)}.')

  def stage_for(self, genre: Optional[str]) -> str:
    return dict(self.genre_stages).get(genre, self.genre_stage)

  def for_genre(self, genre: Optional[str]) -> 'Config':
    """The config of `genre`'s genre stage: its genre_augmentations
    entry, if any, replaces the MLE crops' augmentation."""
    name = dict(self.genre_augmentations).get(genre)
    return self if name is None else self.with_augmentation(name)

  def with_augmentation(self, name: str) -> 'Config':
    """This config with the MLE crops augmented as AUGMENTATIONS[name]
    says."""
    return dataclasses.replace(self, train=dataclasses.replace(
        self.train, **AUGMENTATIONS[name]))

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
                                  eval_crop_lengths=(64, 256)),
        # Classical drawn with the n-gram cache, as `small`'s: a run fits
        # its weights to the generator it trained (training/cache_fit.py).
        sampling=SamplingConfig(genre_cache_weights=(
            ('classical', (0.2,) * len(CACHE_ORDERS)),), cache_fade=0.7)),
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
        # The GAN stage (--genre_stage=mle_adversarial or adversarial) arm
        # BK of bench_gan.py measured best among the GAN arms on folk
        # validation music (3 seeds; BENCHMARKS.md, "Does the GAN stage
        # help?"): against the K+1 discriminator (generated_class),
        # 256-token rollouts with the
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
        # folk T 1.15 (C2ST against real folk 0.48, real against real 0.45;
        # T 1.0 0.63; "Folk's temperature on the shipped generator"). The
        # genre stage: MLE on the genre; samples by importance resampling
        # with the K+1 discriminator (drs:4). On the shipped generator (3
        # seeds each, validation): folk's crops not transposed (arm Bn,
        # then drs:4) judged folk 0.90 against 0.76 for the GAN stage
        # above then drs:4 (arm BK; C2ST 0.70 against 0.76): transposing
        # folk tunes by +-3 put them in keys folk tunes are not in. drs:4
        # held C2ST where best-of-4 (rerank:4) raised it at folk's T 1.0,
        # but at T 1.15 it raises folk's C2ST (0.52 -> 0.69), so folk is
        # drawn unguided. On classical the GAN stage did not help, and
        # drawn unguided at T 1.0 with notes ended at 5 s its samples read
        # C2ST 0.612 against drs:4's 0.641 at T 0.85 (3 seeds, validation;
        # uncapped, T 1.0 held notes 3.9x real's time: BENCHMARKS.md,
        # "Classical unguided at T 1.0, notes ended at 5 s"). Early at T
        # 1.0 (fidelity 0.568 against 0.411 at T 0.85), unguided since its
        # crops are not transposed: C2ST 0.690 against 0.716 with drs:4
        # (which lifts fidelity 0.87 -> 0.95; 3 seeds, validation;
        # BENCHMARKS.md, "Early without transposition"); chosen again with
        # the crops in their keys, T 1.0 still reads lowest (0.68; T 0.9
        # 0.79, T 1.15 0.73), and top-p 0.98 lower than 0.95 (0.672
        # against 0.680), judged early more often (+0.05 [+0.03, +0.06])
        # at a shorter Fréchet distance, its nucleus cutting fewer of the
        # chromatic pitches the samples lack ("What the two-sample test
        # sees in early's samples"); so early is drawn at top-p 0.98, the
        # other genres at 0.95 (on test: judged early 0.92 against 0.87,
        # C2ST 0.646 against 0.615). So `small` draws
        # every genre unguided and makes no K+1 discriminator; drs:4 stays
        # the guidance of other datasets' genres. The sampler compiled
        # with XLA: 1.7x faster on a CPU (BENCHMARKS.md, "Sampling").
        # Classical is drawn with the n-gram cache's logit bonus
        # (models/ngram_cache.py), faded by 0.7 per earlier occurrence of
        # a context: the weights fitted by NLL on classical's validation
        # music to arm Bn's five seeds (mean), times 0.5, the scale and fade
        # at which seed 0's samples repeat their melodic figures as real
        # validation crops do, with few samples stuck in a loop (0.6 %
        # under 8 pitches; at the fitted weights they loop: C2ST 0.65).
        # C2ST 0.495 against 0.577 on validation (0.516 unfaded, with 5 %
        # of its samples rejected), 0.686 against 0.716 on test; NLL on
        # test 1.472 against 1.532 (BENCHMARKS.md, "Music that repeats
        # itself"; 0.662 over 10 seeds). genre_gan_train refits them to the
        # generator it trained (training/cache_fit.py); these are drawn by
        # any other. Folk and early are drawn without it: with it folk's
        # samples loop (C2ST 0.62 against 0.53, 3 seeds, validation) and
        # early's read the same (0.68 against 0.69).
        sampling=SamplingConfig(temperature=0.85, top_p=0.95,
                                genre_temperatures=(('folk', 1.15),
                                                    ('classical', 1.0),
                                                    ('early', 1.0)),
                                genre_top_p=(('early', 0.98),),
                                guidance='drs:4',
                                genre_guidance=(('folk', 'none'),
                                                ('classical', 'none'),
                                                ('early', 'none')),
                                max_note_seconds=5.0, jit_compile=True,
                                genre_cache_weights=(('classical', (
                                    0.174, 0.381, 0.457, 0.454, 0.148, 0.457,
                                    0.391, 0.838)),), cache_fade=0.7),
        # Early's crops are not transposed either: judged early 0.87
        # against 0.45, C2ST 0.69 against 0.88, unguided at T 1.0 (3 seeds,
        # validation; BENCHMARKS.md, "Early without transposition"). Nor
        # classical's: C2ST 0.57 against 0.64 (validation), lower against
        # every reference, at +0.15 nats a token on its test music; its
        # samples then quote short passages of training music more often
        # (BENCHMARKS.md, "Classical without transposition"). So no genre
        # stage of `small`'s genres transposes; the MLE steps on all genres
        # (--mle_steps) and other datasets' genres still do.
        genre_stage='mle',
        genre_augmentations=(('folk', 'none'), ('classical', 'none'),
                             ('early', 'none'))),
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
