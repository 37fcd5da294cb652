"""The independent genre evaluator, with a reject option.

It is a different model family (gradient-boosted trees, or logistic
regression) on different inputs (features.py: pitch, rhythm, texture,
tonality, and sequence-level features) from the frozen token-level
classifier the generator is trained against, and it is used ONLY to measure:
genre fidelity reported by it is not something adversarial training
optimised directly.

A closed-set classifier must name a genre for anything, noise included, so
the evaluator can also say "none of these genres / not music" (reject), in
two independent ways; a sequence is judged genre G only if both agree:

1. **not_music class.** The classifier has one class more than the genres,
   trained on negatives (negatives.py) built from train-split pieces:
   uniform and unigram token streams, shuffled crops, and crops with a
   random share (30-100 %) of their note-offs removed. The sequence's
   judged class is the argmax over the genres and not_music.
2. **Realism gate (open set).** Features are standardised by the real
   training crops' mean and standard deviation; the gate distance of a
   sequence to genre G is its Euclidean distance to the `gate_neighbours`-th
   nearest real training crop of G. The threshold of G is the
   `gate_quantile` quantile of the same distance for real **validation**
   crops of G (out of sample, like test music), so about
   1 - gate_quantile of real held-out music is rejected by the gate and
   anything unlike every real crop of G is, whatever its kind.

`judge` gives the judged genre index, or REJECTED. Fidelity = share judged
the target genre, with rejects counted as failures.

Saved as evaluator.skops (model, gate, genres, settings) next to
evaluator.json (settings, thresholds and accuracies, readable without
Python). skops.io stores the scikit-learn model without pickle, and
loading refuses any type outside TRUSTED_TYPES, so a file someone hands
you cannot run code; the gate is stored as plain arrays and its neighbour
index rebuilt. Evaluators of older versions (evaluator.joblib, a pickle)
are never loaded: retrain them.
"""

import os
from typing import Sequence

from absl import logging
import numpy as np
import sklearn
from sklearn import ensemble
from sklearn import linear_model
from sklearn import pipeline as sk_pipeline
from sklearn import preprocessing
import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan.evaluation import confusion
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import negatives
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism_gate
from genre_transformer_gan.evaluation import threads


MODEL_FILE = 'evaluator.skops'
PICKLE_FILE = 'evaluator.joblib'  # older versions': never opened
INFO_FILE = 'evaluator.json'
# What an evaluator.skops may hold beyond skops's default trusted types:
# the gradient-boosted trees' predictors (logreg needs nothing more).
TRUSTED_TYPES = (
    'sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor',)
MODELS = ('gbt', 'logreg')
NOT_MUSIC = 'not_music'
# The verdict for a sequence the evaluator will not call any genre: the
# index in `judge`'s int arrays, the name in JSON indexes and reports.
REJECTED = -1
REJECTED_NAME = 'rejected'
# evaluator.skops layout; 2 was a pickle (evaluator.joblib), 1 had no
# reject option.
FORMAT = 3


def _skops_io():
  """skops.io, imported when an evaluator is saved or loaded: importing it
  imports every scikit-learn estimator (4 s), which commands that stop at a
  bad flag or never read an evaluator need not wait for."""
  import skops.io  # pylint: disable=import-outside-toplevel
  return skops.io


class OutdatedEvaluatorError(ValueError):
  """The saved evaluator was made by an older version (format, features)."""


def make_model(kind: str, seed: int):
  """The evaluator's scikit-learn classifier: 'gbt' or 'logreg'."""
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
  """Genre judgements of token sequences from their musical features.

  Args:
    genres: the genres, in order (the classifier adds NOT_MUSIC last).
    model: 'gbt' or 'logreg'.
    seed: the model's random state.
  """

  def __init__(self, genres: Sequence[str], model: str = 'gbt',
               seed: int = 0):
    self.genres = tuple(genres)
    self.classes = self.genres + (NOT_MUSIC,)
    self.kind = model
    self.model = make_model(model, seed)
    self.gate = None

  def fit(self, feature_matrix: np.ndarray, labels: np.ndarray):
    """labels: int [N] in 0..G (G = not_music)."""
    with threads.one_thread():
      self.model.fit(feature_matrix, labels)
    return self

  def predict_proba_features(self, feature_matrix: np.ndarray) -> np.ndarray:
    """float [N, G + 1] (columns in `classes` order: genres, not_music)."""
    probabilities = np.zeros([len(feature_matrix), len(self.classes)])
    if len(feature_matrix):
      with threads.one_thread():
        probabilities[:, self.model.classes_] = self.model.predict_proba(
            feature_matrix)
    return probabilities

  def predict_proba(self, token_lists: Sequence) -> np.ndarray:
    """float [N, G + 1] for N event-token sequences."""
    return self.predict_proba_features(features.feature_matrix(token_lists))

  def verdicts_of_features(self, feature_matrix: np.ndarray) -> dict:
    """Judgements of feature rows [N, F].

    Returns:
      {'judged': int [N] genre index or REJECTED, 'probabilities':
       [N, G + 1], 'not_music': bool [N] (the class won), 'gate': bool [N]
       (the winning genre's gate refused)}.
    """
    probabilities = self.predict_proba_features(feature_matrix)
    best = probabilities.argmax(-1)
    not_music = best == len(self.genres)
    gate_failed = np.zeros(len(best), bool)
    if self.gate is not None and len(best):
      passes = self.gate.passes(feature_matrix)
      genre_best = np.minimum(best, len(self.genres) - 1)
      gate_failed = ~not_music & ~passes[np.arange(len(best)), genre_best]
    judged = np.where(not_music | gate_failed, REJECTED, best)
    return {'judged': judged, 'probabilities': probabilities,
            'not_music': not_music, 'gate': gate_failed}

  def verdicts(self, token_lists: Sequence) -> dict:
    """verdicts_of_features of N event-token sequences."""
    return self.verdicts_of_features(features.feature_matrix(token_lists))

  def save(self, directory: str, info: dict) -> None:
    """evaluator.skops and evaluator.json in directory (each written to a
    temporary name, then renamed)."""
    tf.io.gfile.makedirs(directory)
    atomic_files.write_bytes(os.path.join(directory, MODEL_FILE),
                             _skops_io().dumps({
          'format': FORMAT, 'genres': list(self.genres), 'kind': self.kind,
          'model': self.model, 'feature_names': features.feature_names(),
          'gate': None if self.gate is None else self.gate.to_arrays(),
          'sklearn_version': sklearn.__version__}))
    atomic_files.write_json(os.path.join(directory, INFO_FILE), dict(
        info, genres=list(self.genres), model=self.kind,
        features=features.feature_names()))

  @classmethod
  def load(cls, directory: str, genres: Sequence[str] = ()):
    """Loads a saved evaluator; checks it knows `genres` and the features.

    Nothing in the file runs: types outside skops's defaults and
    TRUSTED_TYPES are refused before loading.

    Raises:
      FileNotFoundError / ValueError: one line saying what to do;
        OutdatedEvaluatorError (a ValueError) for an older version's.
    """
    path = os.path.join(directory, MODEL_FILE)
    retrain = ('train one with `genre_gan_evaluate --train_evaluator '
               f'--evaluator_dir={directory}`')
    if not tf.io.gfile.exists(path):
      if tf.io.gfile.exists(os.path.join(directory, PICKLE_FILE)):
        raise OutdatedEvaluatorError(
            f'The evaluator at {directory} was made by an older version '
            '(evaluator.joblib, a pickle, is never loaded: it could run '
            f'code); {retrain}.')
      raise FileNotFoundError(f'No evaluator at {directory}; {retrain}.')
    with tf.io.gfile.GFile(path, 'rb') as f:
      data = f.read()
    if not data:
      raise ValueError(f'{path} is not a readable evaluator (empty); '
                       f'{retrain}.')
    def unreadable(error):
      return ValueError(f'{path} is not a readable evaluator '
                        f'({type(error).__name__}); {retrain}.')
    try:  # skops's own errors (a ValueError too) say nothing of the fix.
      untrusted = _skops_io().get_untrusted_types(data=data)
    except Exception as e:  # pylint: disable=broad-except
      raise unreadable(e) from e
    strange = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if strange:
      raise ValueError(f'{path} holds types this package does not trust '
                       f'({", ".join(strange)[:200]}), so it was not '
                       f'loaded; {retrain}.')
    try:
      saved = _skops_io().loads(data, trusted=list(untrusted))
    except Exception as e:  # pylint: disable=broad-except
      raise unreadable(e) from e
    if (not isinstance(saved, dict) or saved.get('format') != FORMAT or
        [features.RENAMED.get(name, name) for name in
         saved.get('feature_names', ())] != features.feature_names()):
      raise OutdatedEvaluatorError(
          f'The evaluator at {directory} was made by an older version '
          f'(other features or format); {retrain}.')
    missing = [g for g in genres if g not in saved['genres']]
    if missing:
      raise ValueError(f'The evaluator at {directory} does not know '
                       f'{", ".join(missing)} (it knows '
                       f'{", ".join(saved["genres"])}); {retrain}.')
    evaluator = cls(saved['genres'], saved['kind'])
    evaluator.model = saved['model']
    evaluator.gate = (None if saved['gate'] is None else
                      realism_gate.RealismGate.from_arrays(saved['gate']))
    return evaluator


def measure(evaluator, crops) -> dict:
  """Accuracy (rejects count as errors), reject rate and confusion.

  The confusion matrix has a last column (and an empty last row) for
  rejected crops.
  """
  labels = np.array([label for _, label in crops], np.int64)
  judged = evaluator.verdicts([t for t, _ in crops])['judged']
  rejected = len(evaluator.genres)
  matrix = confusion.confusion_matrix(
      labels, np.where(judged == REJECTED, rejected, judged), rejected + 1)
  return dict(confusion.accuracies(matrix), crops=len(crops),
              reject_rate=float(np.mean(judged == REJECTED)),
              confusion=matrix.tolist())


def training_negatives(pieces, count: int, min_len: int, max_len: int,
                       seed: int = 0) -> list:
  """`count` negatives of random kinds and lengths from real pieces.

  Args:
    pieces: [(tokens, genre index)] real training pieces.
  """
  rng = np.random.default_rng(seed)
  by_genre = {}
  for tokens, label in pieces:
    by_genre.setdefault(label, []).append(tokens)
  genres = sorted(by_genre)
  result = []
  for i in range(count):
    kind = negatives.KINDS[i % len(negatives.KINDS)]
    own = by_genre[genres[int(rng.integers(len(genres)))]]
    length = int(rng.integers(min_len, max_len + 1))
    item_seed = int(rng.integers(2**31))
    # Partly droning too: 30-100 % of note-offs gone.
    share = rng.uniform(0.3, 1.0) if kind == 'drone' else 1.0
    result.extend(negatives.make(kind, own, 1, length, item_seed,
                                 drone_share=share))
  return result


def train_evaluator(config, music: real_data.RealMusic, genres: Sequence[str],
                    directory: str,
                    seed: int = 0, max_pieces_per_genre: int = 2000) -> dict:
  """Fits the evaluator on train-split crops; calibrates; measures.

  The classifier learns the genres from train-split crops and not_music
  from as many negatives of train-split pieces; the realism gate's
  thresholds come from validation-split crops; accuracy, reject rates and
  the negatives' rejection are then measured on validation and test.

  Args:
    config: a configs.Config (its `evaluator` part is used).
    music: the dataset's real music (real_data.RealMusic).
    genres: the classes.
    directory: where evaluator.skops / .json and the confusion matrix go.
    seed: crops, negatives and the model's random state.
    max_pieces_per_genre: caps the pieces read per genre and split.

  Returns:
    The info written to evaluator.json.
  """
  settings = config.evaluator
  pieces = music.pieces('train', genres, max_pieces_per_genre)
  crops = real_data.random_crops(pieces, settings.min_crop_len,
                                 settings.max_crop_len,
                                 settings.crops_per_piece, seed)
  real = features.feature_matrix([tokens for tokens, _ in crops])
  labels = np.array([label for _, label in crops])
  fakes = training_negatives(
      pieces, int(len(crops) * settings.negatives_per_crop),
      settings.min_crop_len, settings.max_crop_len, seed + 1)
  evaluator = FeatureEvaluator(genres, settings.model, seed).fit(
      np.concatenate([real, features.feature_matrix(fakes)]),
      np.concatenate([labels, np.full(len(fakes), len(genres))]))
  evaluator.gate = realism_gate.RealismGate(real, labels, len(genres),
                               settings.gate_neighbours)
  info = {'dataset': music.name, 'config': config.name,
          'seed': seed, 'train_crops': len(crops),
          'train_negatives': len(fakes),
          'gate_quantile': settings.gate_quantile,
          'gate_neighbours': settings.gate_neighbours,
          'chance_accuracy': 1.0 / len(genres)}
  held_out = {split: music.pieces(split, genres, max_pieces_per_genre)
              for split in ('validation', 'test') if split in music.splits}
  if 'validation' in held_out:
    calibration = real_data.random_crops(
        held_out['validation'], settings.min_crop_len, settings.max_crop_len,
        settings.crops_per_piece, seed + 2)
    evaluator.gate.calibrate(
        features.feature_matrix([tokens for tokens, _ in calibration]),
        np.array([label for _, label in calibration]), settings.gate_quantile)
  else:
    logging.warning('No validation split: the realism gate is off.')
  info['gate_thresholds'] = dict(zip(genres, evaluator.gate.thresholds.tolist()))
  for split, split_pieces in held_out.items():
    info[split] = {}
    for length in settings.eval_crop_lengths:
      result = measure(evaluator, real_data.fixed_crops(split_pieces, length))
      fakes = training_negatives(split_pieces, 4 * len(genres) * 8, length,
                                 length, seed + 3)
      result['negatives_rejected'] = float(np.mean(
          evaluator.verdicts(fakes)['judged'] == REJECTED))
      info[split][int(length)] = result
  evaluator.save(directory, info)
  confusion.write_split_report(info, list(genres) + [REJECTED_NAME],
                               directory, 'evaluator')
  return info


def load_or_train(config, music: real_data.RealMusic, directory: str,
                  genres: Sequence[str] = (),
                  retrain: bool = False, seed: int = 0, log=print):
  """The evaluator in `directory`, trained there first if missing (or asked).

  One saved by an older version (other features, no reject option) is
  replaced by a fresh one, with a line saying so.

  Returns:
    (FeatureEvaluator, info of a fresh training or None).
  """
  if not retrain and any(tf.io.gfile.exists(os.path.join(directory, name))
                         for name in (MODEL_FILE, PICKLE_FILE)):
    try:
      return FeatureEvaluator.load(directory, genres), None
    except OutdatedEvaluatorError:
      log(f'The evaluator in {directory} was made by an older version; '
          'training a new one.')
  log(f'Training the independent evaluator on {music.name} '
      f'(train split) into {directory} ...')
  info = train_evaluator(config, music, music.genres, directory, seed=seed)
  split = 'test' if 'test' in info else 'validation'
  if split in info:
    log(f'evaluator {split} accuracy by crop length (rejects count as '
        f'errors): {confusion.accuracy_line(info[split])}; chance '
        f'{info["chance_accuracy"]:.3f}')
    log('real crops rejected: ' + ', '.join(
        f'{n}: {r["reject_rate"]:.3f}' for n, r in info[split].items()) +
        '; negatives rejected: ' + ', '.join(
            f'{n}: {r["negatives_rejected"]:.3f}'
            for n, r in info[split].items()))
  return FeatureEvaluator.load(directory, genres), info
