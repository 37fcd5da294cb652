"""The generator families' hyper-parameters (frozen dataclasses).

The named configs that set them are in configs.py, which re-exports these
classes: use `configs.TransformerConfig` etc.
"""

import dataclasses
from typing import Optional, Tuple


@dataclasses.dataclass(frozen=True)
class TransformerConfig:
  """Music Transformer hyper-parameters.

  Attributes:
    num_layers: decoder blocks.
    hidden_size: model width D.
    num_heads: attention heads H.
    attention_size: total query/key/value width (H * per-head depth).
    filter_size: feed-forward inner width.
    max_len: training sequence length (genre token included).
    dropout: after attention, feed-forward and embeddings.
    attention_dropout: on the attention weights [B, H, L, L] (None: as
      `dropout`). On a CPU its random mask costs more than any other
      elementwise op of the step (BENCHMARKS.md, "Training").
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
  attention_dropout: Optional[float] = None
  attention: str = 'relative'
  max_relative_position: Optional[int] = None
  timing_signal: bool = True

  @property
  def attention_weight_dropout(self) -> float:
    return self.dropout if self.attention_dropout is None else (
        self.attention_dropout)

  @property
  def relative_distance(self) -> int:
    return self.max_relative_position or self.max_len // 2


@dataclasses.dataclass(frozen=True)
class LstmConfig:
  """The LSTM generator (models/lstm_generator.py).

  Attributes:
    num_layers: stacked LSTM layers.
    hidden_size: units per layer.
    embedding_size: token embedding width (the genre token's embedding is
      concatenated to every step's input).
    dropout: between layers and before the output layer.
  """
  num_layers: int = 2
  hidden_size: int = 64
  embedding_size: int = 32
  dropout: float = 0.0


@dataclasses.dataclass(frozen=True)
class WaveNetConfig:
  """The WaveNet generator (models/wavenet_generator.py).

  Attributes:
    residual_channels: width of the residual stream (and the embedding).
    skip_channels: width of the skip connections and the output stack.
    kernel_size: taps of each dilated causal convolution.
    dilations: one gated residual layer per entry; the receptive field is
      (kernel_size - 1) * sum(dilations) + 1 tokens.
    dropout: on each layer's residual output.
  """
  residual_channels: int = 32
  skip_channels: int = 64
  kernel_size: int = 2
  dilations: Tuple[int, ...] = (1, 2, 4, 8, 16, 1, 2, 4, 8, 16)
  dropout: float = 0.0

  @property
  def receptive_field(self) -> int:
    return (self.kernel_size - 1) * sum(self.dilations) + 1
