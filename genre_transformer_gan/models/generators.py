"""The generator families and the one function that builds any of them.

Every family implements generator_base.Generator's contract, so MLE
pre-training, the Gumbel-softmax GAN stage, sampling, generation and
evaluation run unchanged on any:

  transformer  models/music_transformer.py  relative attention, KV cache
  lstm         models/lstm_generator.py     stacked LSTM, state cache
  wavenet      models/wavenet_generator.py  dilated convolutions, Fast
                                            WaveNet queues
"""

from genre_transformer_gan import configs
from genre_transformer_gan.models import lstm_generator
from genre_transformer_gan.models import music_transformer
from genre_transformer_gan.models import wavenet_generator

GENERATORS = configs.GENERATORS


def build(config, vocab_size: int, **kwargs):
  """The generator of `config.generator`, built (kwargs: dtype, name)."""
  max_len = config.max_len
  if config.generator == 'transformer':
    return music_transformer.MusicTransformer.from_transformer_config(
        config.transformer, vocab_size, **kwargs)
  if config.generator == 'lstm':
    return lstm_generator.LstmGenerator.from_config_parts(
        config.lstm, max_len, vocab_size, **kwargs)
  if config.generator == 'wavenet':
    return wavenet_generator.WaveNetGenerator.from_config_parts(
        config.wavenet, max_len, vocab_size, **kwargs)
  raise ValueError(f'Unknown generator {config.generator!r}; choose one of: '
                   f'{", ".join(GENERATORS)}.')
