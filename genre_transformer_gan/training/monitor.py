"""Watching a generator during training: samples, fidelity, diversity.

`SampleMonitor` is the adversarial trainer's `evaluate` callback: it draws
samples of the target genre with the ordinary cached sampler, measures them
(frozen-classifier probability of the genre beside the independent
evaluator's fidelity and reject rate, held notes and held time, distinct
4-grams and self-similarity, the mode-collapse watch) and writes the
numbers, one sample's audio and its piano roll to TensorBoard.
"""

import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import metrics
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.generation import render
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import genre_classifier


class SampleMonitor:
  """fn(trainer, step, writer) -> {measure: value} for one genre.

  Args:
    genre: the target genre.
    genre_token: its token.
    num_samples: samples per evaluation.
    length: tokens per sample.
    classifier: the frozen classifier (or None).
    evaluator: a FeatureEvaluator (or None).
    seed: sampling seed (the same at every evaluation, for comparability).
    sampling_config: configs.SamplingConfig, decoding as genre_gan_generate
      (None: plain sampling at temperature 1).
  """

  def __init__(self, genre, genre_token, num_samples, length,
               classifier=None, evaluator=None, seed=0, sampling_config=None):
    self.genre = genre
    self.genre_token = genre_token
    self.num_samples = num_samples
    self.length = length
    self.classifier = classifier
    self.evaluator = evaluator
    self.seed = seed
    self.sampling_config = sampling_config
    self._samplers = {}

  def sample(self, generator):
    """int32 [num_samples, length] event tokens (genre token dropped)."""
    sampler = self._samplers.get(id(generator))
    if sampler is None:
      decode = self.sampling_config or configs.SamplingConfig(top_p=1.0)
      sampler = self._samplers[id(generator)] = sampling.Sampler(
          generator, decode.temperature_for(self.genre), decode.top_k,
          decode.top_p_for(self.genre), jit_compile=decode.jit_compile,
          **decode.cache_for(self.genre))
    prompts = np.full([self.num_samples, 1], self.genre_token, np.int32)
    return sampler.generate(prompts, self.length, seed=self.seed)[:, 1:]

  def measure(self, samples) -> dict:
    samples = list(samples)
    result = metrics.diversity(samples)
    result['held_note_share'] = report.held_note_share(samples)[0] or 0.0
    result['held_time_share'] = report.held_time_share(samples)[0] or 0.0
    if self.classifier is not None:
      probabilities = genre_classifier.probabilities(self.classifier, samples)
      index = vocab.Vocabulary(self.classifier.genres).genre_id(self.genre)
      result['classifier_probability'] = float(np.mean(
          probabilities[:, index]))
    if self.evaluator is not None:
      judged = self.evaluator.verdicts(samples)
      index = vocab.Vocabulary(self.evaluator.genres).genre_id(self.genre)
      result['evaluator_probability'] = float(np.mean(
          judged['probabilities'][:, index]))
      result['evaluator_fidelity'] = float(np.mean(judged['judged'] == index))
      result['evaluator_reject_rate'] = float(np.mean(
          judged['judged'] == evaluator_lib.REJECTED))
    return result

  def __call__(self, trainer, step, writer):
    samples = self.sample(trainer.generator)
    result = self.measure(samples)
    with writer.as_default(step=step):
      for name, value in result.items():
        tf.summary.scalar(f'samples/{name}', value)
      audio = render.synthesize(samples[0])
      tf.summary.audio('samples/audio', audio[None, :, None],
                       render.SAMPLE_RATE)
      tf.summary.image('samples/piano_roll', render.piano_roll(
          samples[0], f'{self.genre}, step {step}')[None])
    return result
