"""Named configurations: `tiny` (tests), `small` (a 2-core CPU), `base` (TPU).

Configs are frozen: derive a variant with `dataclasses.replace`, never by
mutating a shared one.
"""

import dataclasses
from typing import Optional

from genre_transformer_gan.data import datasets


@dataclasses.dataclass(frozen=True)
class ModelConfig:
  """Music Transformer hyper-parameters.

  Attributes:
    num_layers: decoder blocks.
    hidden_size: model width D.
    num_heads: attention heads H.
    attention_size: total query/key/value width (H * per-head depth).
    filter_size: feed-forward inner width.
    max_len: training sequence length (genre token included).
    dropout: after attention, feed-forward and embeddings.
    attention: 'relative' (Music Transformer) or 'absolute' (learned
      position embeddings, plain attention), for ablations.
    max_relative_position: farthest distance with its own relative
      embedding; farther keys share the embedding of this distance. None:
      max_len // 2.
    timing_signal: add Magenta's sinusoidal timing signal to the embeddings.
  """
  num_layers: int = 2
  hidden_size: int = 64
  num_heads: int = 4
  attention_size: int = 64
  filter_size: int = 128
  max_len: int = 128
  dropout: float = 0.1
  attention: str = 'relative'
  max_relative_position: Optional[int] = None
  timing_signal: bool = True

  @property
  def relative_distance(self) -> int:
    return self.max_relative_position or self.max_len // 2


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  """MLE optimisation settings.

  Attributes:
    learning_rate_constant, warmup_steps: schedules.RsqrtWarmup.
    label_smoothing: cross-entropy label smoothing.
    clip_norm: global gradient-norm clipping.
    mixed_precision: compute in bfloat16 (variables stay float32).
    keep_checkpoints: checkpoints kept by the CheckpointManager.
    checkpoint_every, log_every, eval_every: in steps.
  """
  learning_rate_constant: float = 2.0
  warmup_steps: int = 4000
  label_smoothing: float = 0.0
  clip_norm: float = 1.0
  mixed_precision: bool = False
  keep_checkpoints: int = 3
  checkpoint_every: int = 500
  log_every: int = 50
  eval_every: int = 500


@dataclasses.dataclass(frozen=True)
class Config:
  """Everything a run needs besides its flags.

  Attributes:
    name: the CONFIG_MAP key.
    model: the generator.
    dataset: TFDS name of the training data.
    batch_size: global batch size.
    train: MLE optimisation.
  """
  name: str
  model: ModelConfig
  dataset: str = datasets.DEFAULT_DATASET
  batch_size: int = 16
  train: TrainConfig = TrainConfig()


CONFIG_MAP = {
    'tiny': Config(
        name='tiny',
        model=ModelConfig(num_layers=2, hidden_size=32, num_heads=2,
                          attention_size=32, filter_size=64, max_len=64,
                          dropout=0.0),
        batch_size=4,
        train=TrainConfig(warmup_steps=20, learning_rate_constant=1.0,
                          checkpoint_every=10, log_every=5, eval_every=10)),
    'small': Config(
        name='small',
        model=ModelConfig(num_layers=4, hidden_size=256, num_heads=8,
                          attention_size=256, filter_size=1024, max_len=512,
                          dropout=0.1),
        batch_size=16,
        # A CPU run is minutes long: reach the peak rate (3.95e-3) early.
        train=TrainConfig(learning_rate_constant=1.0, warmup_steps=250,
                          checkpoint_every=250, log_every=25,
                          eval_every=250)),
    # Magenta score2perf's transformer_tpu-scale model.
    'base': Config(
        name='base',
        model=ModelConfig(num_layers=8, hidden_size=384, num_heads=8,
                          attention_size=512, filter_size=1024, max_len=2048,
                          dropout=0.2),
        dataset='lakh_genre/tagtraum_cd2c',
        batch_size=64,
        train=TrainConfig(warmup_steps=8000, label_smoothing=0.1,
                          mixed_precision=True, checkpoint_every=1000,
                          log_every=100, eval_every=1000)),
}


def get_config(name: str) -> Config:
  if name not in CONFIG_MAP:
    raise ValueError(f'Unknown config {name!r}; choose one of: '
                     f'{", ".join(CONFIG_MAP)}.')
  return CONFIG_MAP[name]
