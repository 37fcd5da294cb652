"""Watching a generator during training: samples, fidelity, diversity.

`SampleMonitor` is the adversarial trainer's `evaluate` callback: it draws
samples of the target genre with the ordinary cached sampler, measures them
(frozen-classifier and independent-evaluator probability of the genre,
distinct 4-grams and self-similarity, the mode-collapse watch) and writes
the numbers, one sample's audio and its piano roll to TensorBoard.
"""

import numpy as np
import tensorflow as tf

from genre_transformer_gan.evaluation import metrics
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.generation import render
from genre_transformer_gan.generation import sampling


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
  """

  def __init__(self, genre, genre_token, num_samples, length,
               classifier=None, evaluator=None, seed=0):
    self.genre = genre
    self.genre_token = genre_token
    self.num_samples = num_samples
    self.length = length
    self.classifier = classifier
    self.evaluator = evaluator
    self.seed = seed
    self._samplers = {}

  def sample(self, generator):
    """int32 [num_samples, length] event tokens (genre token dropped)."""
    sampler = self._samplers.get(id(generator))
    if sampler is None:
      sampler = self._samplers[id(generator)] = sampling.Sampler(generator)
    prompts = np.full([self.num_samples, 1], self.genre_token, np.int32)
    return sampler.generate(prompts, self.length, seed=self.seed)[:, 1:]

  def measure(self, samples) -> dict:
    samples = list(samples)
    result = metrics.diversity(samples)
    if self.classifier is not None:
      probabilities = report.classifier_probabilities(self.classifier, samples)
      result['classifier_probability'] = float(np.mean(
          probabilities[:, self.classifier.genres.index(self.genre)]))
    if self.evaluator is not None:
      probabilities = self.evaluator.predict_proba(samples)
      index = self.evaluator.genres.index(self.genre)
      result['evaluator_probability'] = float(np.mean(probabilities[:, index]))
      result['evaluator_accuracy'] = float(np.mean(
          probabilities.argmax(-1) == index))
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
