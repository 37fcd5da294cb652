"""Finding and asking the judges: the independent evaluator and the classifier.

`find_judges` picks the evaluator and the frozen classifier next to a run
(as genre_gan_train leaves them) or from given paths; the resulting
`Judges` is a callable that gives, per token sequence, each judge's genre
probabilities and the evaluator's verdict (a genre, or 'rejected'). The
generation stage takes it as a plain callable, so it never imports this
stage.
"""

import dataclasses
import os
from typing import List, Optional, Sequence

import numpy as np
import tensorflow as tf

from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan import run_layout


def genre_probabilities(token_lists, evaluator=None,
                        classifier=None) -> List[dict]:
  """Per sequence {'evaluator': {class: p}, 'evaluator_verdict': genre or
  'rejected', 'classifier': {genre: p}} (a judge that is None is left out).
  """
  results = [{} for _ in token_lists]
  if not len(token_lists):
    return results
  if evaluator is not None:
    judged = evaluator.verdicts(list(token_lists))
    for result, row, verdict in zip(results, judged['probabilities'],
                                    judged['judged']):
      result['evaluator'] = {g: round(float(p), 4)
                             for g, p in zip(evaluator.classes, row)}
      result['evaluator_verdict'] = (
          evaluator_lib.REJECTED_NAME if verdict == evaluator_lib.REJECTED
          else evaluator.genres[verdict])
  if classifier is not None:
    probabilities = genre_classifier.probabilities(classifier,
                                                   list(token_lists))
    for result, row in zip(results, probabilities):
      result['classifier'] = {g: round(float(p), 4)
                              for g, p in zip(classifier.genres, row)}
  return results


@dataclasses.dataclass(frozen=True)
class Judges:
  """The judges of a run (either may be None); call it on token sequences."""
  evaluator: object = None
  evaluator_dir: Optional[str] = None
  classifier: object = None
  classifier_path: Optional[str] = None

  def __call__(self, token_lists) -> List[dict]:
    return genre_probabilities(token_lists, self.evaluator, self.classifier)

  @property
  def sources(self) -> dict:
    return {'evaluator': self.evaluator_dir,
            'classifier': self.classifier_path}


def _newest_loadable(pattern: str, load):
  """(load(folder), folder) for the newest file matching pattern that loads.

  Files whose folder `load` refuses (ValueError: other genres or vocabulary,
  an older evaluator format) are passed over; (None, None) if none loads.
  """
  paths = sorted(tf.io.gfile.glob(pattern), reverse=True,
                 key=lambda p: tf.io.gfile.stat(p).mtime_nsec)
  for path in paths:
    try:
      return load(os.path.dirname(path)), os.path.dirname(path)
    except ValueError:
      continue
  return None, None


def _given_or_newest(path, pattern: str, load):
  """(load(path), path) if a path is given (errors propagate), else
  _newest_loadable(pattern, load)."""
  if path:
    return load(path), path
  return _newest_loadable(pattern, load)


def find_classifier(genres: Sequence[str], runs_root: str,
                    classifier_path=None):
  """(frozen classifier, its path): the given one, or the newest under
  <runs_root>/classifier/ that knows `genres`; (None, None) if none does."""
  return _given_or_newest(
      classifier_path,
      run_layout.classifier_pattern(runs_root, classifier_io.MODEL_FILE),
      lambda d: classifier_io.load_classifier(d, genres))


def find_judges(genres: Sequence[str], model_dir: str, evaluator_dir=None,
                classifier_path=None, log=print) -> Judges:
  """The independent evaluator and frozen classifier for `genres`.

  Given paths must load (else a one-line error); otherwise the newest
  evaluator / classifier next to the run (<runs>/evaluator/*,
  <runs>/classifier/*, where <runs> holds model_dir, as genre_gan_train
  leaves them) that knows the genres is used, and none is fine.
  """
  runs_root = run_layout.runs_root(model_dir)
  evaluator, evaluator_dir = _given_or_newest(
      evaluator_dir,
      run_layout.evaluator_pattern(runs_root, evaluator_lib.MODEL_FILE),
      lambda d: evaluator_lib.FeatureEvaluator.load(d, genres))
  classifier, classifier_path = find_classifier(genres, runs_root,
                                                classifier_path)
  log(f'Genre judges: independent evaluator {evaluator_dir or "none"}'
      f', frozen classifier {classifier_path or "none"}' +
      ('' if evaluator else ' (train an evaluator with `genre_gan_evaluate '
       '--train_evaluator` to get its verdicts)'))
  return Judges(evaluator, evaluator_dir, classifier, classifier_path)


def fidelity_line(entries: Sequence[dict], genre: str) -> str:
  """One line: evaluator fidelity and reject rate, classifier p, of entries."""
  verdicts = [e['evaluator_verdict'] for e in entries
              if 'evaluator_verdict' in e]
  parts = []
  if verdicts:
    rejected = np.mean([v == evaluator_lib.REJECTED_NAME for v in verdicts])
    parts.append(f'evaluator: {np.mean([v == genre for v in verdicts]):.2f} '
                 f'judged {genre}, {rejected:.2f} rejected')
  classifier = [e['classifier'][genre] for e in entries if 'classifier' in e]
  if classifier:
    parts.append(f'frozen classifier: mean p({genre}) '
                 f'{np.mean(classifier):.2f}')
  return '; '.join(parts)
