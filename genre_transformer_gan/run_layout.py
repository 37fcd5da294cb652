"""Where a training run's files live: the one place for the folder layout.

  <runs root>/                       the folder holding the model_dir (runs/)
    classifier/<dataset>_<config>/   the frozen genre classifier (the adversary)
    evaluator/<dataset>/             the independent evaluator (the judge)
    <model_dir>/                     e.g. runs/small
      run.json                       config, generator family, genres
      checkpoints/                   MLE checkpoints
      train/                         MLE TensorBoard events
      classifier_generated/          the adversary with a 'generated' class
                                     learned from this run's MLE samples
      adversarial_<genre>/           the GAN stage for one genre (mle_<genre>/:
                                     the MLE stage on the genre alone):
        checkpoints/                   its checkpoints (+ TensorBoard events)
        ngram_cache.json               the n-gram cache fitted to its last
                                       checkpoint (models/ngram_cache.py)
        samples/, samples_control/     the report's samples: GAN, MLE control
        evaluation.json, evaluation.md the report

`<dataset>` is the TFDS full name with '/' as '_' (corpus_genre_small_1.3.0).
Every command and notebook finds these folders through this module, so
`genre_classifier_train`, `genre_gan_train`, `genre_gan_evaluate` and
`genre_gan_generate` meet in the same places by default.
"""

import os

RUNS_ROOT = 'runs'
RUN_FILE = 'run.json'
CHECKPOINTS = 'checkpoints'
MLE_EVENTS = 'train'
CLASSIFIERS = 'classifier'
EVALUATORS = 'evaluator'
ADVERSARIAL_PREFIX = 'adversarial_'
GENRE_MLE_PREFIX = 'mle_'  # the MLE model tuned on one genre (--tuning=mle)
GENERATED_CLASSIFIER = 'classifier_generated'
NGRAM_CACHE_FILE = 'ngram_cache.json'


def dataset_key(dataset_full_name: str) -> str:
  """'corpus_genre/small/1.3.0' -> 'corpus_genre_small_1.3.0'."""
  return dataset_full_name.replace('/', '_')


def runs_root(model_dir: str) -> str:
  """The folder holding model_dir (e.g. runs/), shared by its runs."""
  return os.path.dirname(os.path.abspath(model_dir))


def default_model_dir(config_name: str) -> str:
  return os.path.join(RUNS_ROOT, config_name)


def classifier_dir(root: str, dataset_full_name: str, config_name: str
                   ) -> str:
  """<root>/classifier/<dataset>_<config>."""
  return os.path.join(root, CLASSIFIERS,
                      f'{dataset_key(dataset_full_name)}_{config_name}')


def generated_classifier_dir(model_dir: str) -> str:
  """<model_dir>/classifier_generated: the K+1 adversary of this run."""
  return os.path.join(model_dir, GENERATED_CLASSIFIER)


def evaluator_dir(root: str, dataset_full_name: str) -> str:
  """<root>/evaluator/<dataset>."""
  return os.path.join(root, EVALUATORS, dataset_key(dataset_full_name))


def classifier_pattern(root: str, model_file: str) -> str:
  """A glob of every classifier's model file under root."""
  return os.path.join(root, CLASSIFIERS, '*', model_file)


def evaluator_pattern(root: str, model_file: str) -> str:
  """A glob of every evaluator's model file under root."""
  return os.path.join(root, EVALUATORS, '*', model_file)


def run_file(model_dir: str) -> str:
  return os.path.join(model_dir, RUN_FILE)


def checkpoints_dir(stage_dir: str) -> str:
  """A stage's checkpoints: <model_dir>/checkpoints (MLE) or
  <model_dir>/adversarial_<genre>/checkpoints."""
  return os.path.join(stage_dir, CHECKPOINTS)


def ngram_cache_file(stage_dir: str) -> str:
  """<stage_dir>/ngram_cache.json: the cache fitted to the stage's
  generator (a model_dir for the MLE stage, or a genre stage's folder)."""
  return os.path.join(stage_dir, NGRAM_CACHE_FILE)


def mle_events(model_dir: str) -> str:
  return os.path.join(model_dir, MLE_EVENTS)


def adversarial_dir(model_dir: str, genre: str) -> str:
  return os.path.join(model_dir, ADVERSARIAL_PREFIX + genre)


def genre_mle_dir(model_dir: str, genre: str) -> str:
  return os.path.join(model_dir, GENRE_MLE_PREFIX + genre)


def tuned_dir(model_dir: str, genre: str, tuning: str) -> str:
  """Where genre_gan_train's genre stage writes ('adversarial' or 'mle')."""
  return (adversarial_dir if tuning == 'adversarial' else genre_mle_dir)(
      model_dir, genre)
