"""The independent genre evaluator: musical features + scikit-learn.

It is a different model family (gradient-boosted trees, or logistic
regression) on different inputs (features.py: pitch, rhythm, texture,
dynamics, tonality) from the frozen token-level classifier the generator is
trained against, and it is used ONLY to measure: genre fidelity reported by
it is not something adversarial training optimised directly.

Saved as evaluator.joblib (model + genres + settings) next to
evaluator.json (settings and test accuracies, readable without Python).
"""

import json
import os
from typing import Sequence

import joblib
import numpy as np
import sklearn
from sklearn import ensemble
from sklearn import linear_model
from sklearn import pipeline as sk_pipeline
from sklearn import preprocessing
import tensorflow as tf

from genre_transformer_gan.evaluation import confusion
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import real_data

MODEL_FILE = 'evaluator.joblib'
INFO_FILE = 'evaluator.json'
MODELS = ('gbt', 'logreg')


def _make_model(kind: str, seed: int):
  if kind == 'gbt':
    return ensemble.HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.05, l2_regularization=1.0,
        class_weight='balanced', random_state=seed)
  if kind == 'logreg':
    return sk_pipeline.make_pipeline(
        preprocessing.StandardScaler(),
        linear_model.LogisticRegression(C=1.0, max_iter=2000,
                                        class_weight='balanced'))
  raise ValueError(f'Unknown evaluator model {kind!r}; choose one of: '
                   f'{", ".join(MODELS)}.')


class FeatureEvaluator:
  """Genre probabilities of token sequences from their musical features.

  Args:
    genres: class names, in order.
    model: 'gbt' or 'logreg'.
    seed: the model's random state.
  """

  def __init__(self, genres: Sequence[str], model: str = 'gbt',
               seed: int = 0):
    self.genres = tuple(genres)
    self.kind = model
    self.model = _make_model(model, seed)

  def fit(self, feature_matrix: np.ndarray, labels: np.ndarray):
    self.model.fit(feature_matrix, labels)
    return self

  def predict_proba_features(self, feature_matrix: np.ndarray) -> np.ndarray:
    """float [N, num_genres] (columns in `genres` order)."""
    probabilities = np.zeros([len(feature_matrix), len(self.genres)])
    if len(feature_matrix):
      probabilities[:, self.model.classes_] = self.model.predict_proba(
          feature_matrix)
    return probabilities

  def predict_proba(self, token_lists: Sequence) -> np.ndarray:
    """float [N, num_genres] for N event-token sequences."""
    return self.predict_proba_features(features.feature_matrix(token_lists))

  def save(self, directory: str, info: dict) -> None:
    tf.io.gfile.makedirs(directory)
    partial = os.path.join(directory, MODEL_FILE + '.partial')
    joblib.dump({'genres': self.genres, 'kind': self.kind,
                 'model': self.model,
                 'feature_names': features.feature_names(),
                 'sklearn_version': sklearn.__version__}, partial)
    tf.io.gfile.rename(partial, os.path.join(directory, MODEL_FILE),
                       overwrite=True)
    with tf.io.gfile.GFile(os.path.join(directory, INFO_FILE), 'w') as f:
      json.dump(dict(info, genres=list(self.genres), model=self.kind,
                     features=features.feature_names()), f, indent=2)

  @classmethod
  def load(cls, directory: str, genres: Sequence[str] = ()):
    """Loads a saved evaluator; checks it knows `genres` and the features.

    Raises:
      FileNotFoundError / ValueError: one line saying what to do.
    """
    path = os.path.join(directory, MODEL_FILE)
    retrain = ('train one with `genre_gan_evaluate --train_evaluator '
               f'--evaluator_dir={directory}`')
    if not tf.io.gfile.exists(path):
      raise FileNotFoundError(f'No evaluator at {directory}; {retrain}.')
    saved = joblib.load(path)
    if saved['feature_names'] != features.feature_names():
      raise ValueError(f'The evaluator at {directory} was trained on other '
                       f'features than this version computes; {retrain}.')
    missing = [g for g in genres if g not in saved['genres']]
    if missing:
      raise ValueError(f'The evaluator at {directory} does not know '
                       f'{", ".join(missing)} (it knows '
                       f'{", ".join(saved["genres"])}); {retrain}.')
    evaluator = cls(saved['genres'], saved['kind'])
    evaluator.model = saved['model']
    return evaluator


def measure(evaluator, crops) -> dict:
  """Accuracy, balanced accuracy and confusion of (tokens, label) crops."""
  labels = np.array([label for _, label in crops], np.int64)
  predicted = evaluator.predict_proba([t for t, _ in crops]).argmax(-1)
  matrix = confusion.confusion_matrix(labels, predicted,
                                      len(evaluator.genres))
  return dict(confusion.accuracies(matrix), crops=len(crops),
              confusion=matrix.tolist())


def train_evaluator(config, builder, genres: Sequence[str], directory: str,
                    seed: int = 0, max_pieces_per_genre: int = 2000) -> dict:
  """Fits the evaluator on train-split crops; measures it on the test split.

  Args:
    config: a configs.Config (its `evaluator` part is used).
    builder: a prepared dataset builder.
    genres: the classes.
    directory: where evaluator.joblib / .json and the confusion matrix go.
    seed: crops and the model's random state.
    max_pieces_per_genre: caps the pieces read per genre and split.

  Returns:
    The info written to evaluator.json.
  """
  settings = config.evaluator
  pieces = real_data.read_pieces(builder, 'train', genres,
                                 max_pieces_per_genre)
  crops = real_data.random_crops(pieces, settings.min_crop_len,
                                 settings.max_crop_len,
                                 settings.crops_per_piece, seed)
  matrix = features.feature_matrix([tokens for tokens, _ in crops])
  labels = np.array([label for _, label in crops])
  evaluator = FeatureEvaluator(genres, settings.model, seed).fit(matrix,
                                                                 labels)
  info = {'dataset': builder.info.full_name, 'config': config.name,
          'seed': seed, 'train_crops': len(crops),
          'chance_accuracy': 1.0 / len(genres)}
  for split in ('validation', 'test'):
    if split not in builder.info.splits:
      continue
    held_out = real_data.read_pieces(builder, split, genres,
                                     max_pieces_per_genre)
    info[split] = {int(length): measure(
        evaluator, real_data.fixed_crops(held_out, length))
                   for length in settings.eval_crop_lengths}
  evaluator.save(directory, info)
  confusion.write_split_report(info, genres, directory, 'evaluator')
  return info


def default_directory(builder) -> str:
  """runs/evaluator/<dataset name_config_version>."""
  return os.path.join('runs', 'evaluator',
                      builder.info.full_name.replace('/', '_'))


def load_or_train(config, builder, directory: str, genres: Sequence[str] = (),
                  retrain: bool = False, seed: int = 0, log=print):
  """The evaluator in `directory`, trained there first if missing (or asked).

  Returns:
    (FeatureEvaluator, info of a fresh training or None).
  """
  info = None
  if retrain or not tf.io.gfile.exists(os.path.join(directory, MODEL_FILE)):
    log(f'Training the independent evaluator on {builder.info.full_name} '
        f'(train split) into {directory} ...')
    names = builder.info.features['genre'].names
    info = train_evaluator(config, builder, names, directory, seed=seed)
    split = 'test' if 'test' in info else 'validation'
    if split in info:
      log(f'evaluator {split} accuracy by crop length: '
          f'{confusion.accuracy_line(info[split])}; chance '
          f'{info["chance_accuracy"]:.3f}')
  return FeatureEvaluator.load(directory, genres), info
