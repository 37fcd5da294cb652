"""The evaluation report: generated samples vs held-out real music, per genre.

For each genre two rows are computed the same way:
  generated   the samples to judge;
  real (test) held-out real crops of that genre, as many as the samples
              (at least MIN_REFERENCE), of the samples' median length;
with: genre fidelity by the independent evaluator and by the frozen
classifier (share judged the target genre, mean target probability), the
mgeval distances of their features to real train-split music of the genre,
and diversity. The generator's NLL on held-out real music of the genre is
added when a checkpoint is given.
"""

import collections
import json
import os
from typing import Dict, List, Optional, Sequence

import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import errors
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import metrics
from genre_transformer_gan.evaluation import real_data

MIDI_SUFFIXES = ('.mid', '.midi')
TOKEN_SUFFIXES = ('.npy', '.txt')
MIN_REFERENCE = 20
MAX_REAL = 200  # train-split crops the distances compare with


def read_samples(directory: str):
  """Event tokens of every sample file in `directory` (not recursive).

  .mid / .midi files are encoded with the tokenizer; .npy files hold an int
  array and .txt files whitespace-separated ints (genre, PAD and EOS tokens
  are dropped). Files that cannot be read are skipped and counted.

  Returns:
    ([(file name, int32 [n] tokens)] sorted by name, Counter of skip reasons).
  """
  samples, skipped = [], collections.Counter()
  for name in sorted(tf.io.gfile.listdir(directory)):
    path = os.path.join(directory, name)
    suffix = os.path.splitext(name)[1].lower()
    try:
      if suffix in MIDI_SUFFIXES:
        tokens = tokenizer.encode_midi(path)
      elif suffix == '.npy':
        with tf.io.gfile.GFile(path, 'rb') as f:
          tokens = np.load(f)
      elif suffix == '.txt':
        with tf.io.gfile.GFile(path) as f:
          tokens = np.array(f.read().split(), np.int64)
      else:
        continue
    except errors.UnreadableMidiError as e:
      skipped[e.reason] += 1
      continue
    except ValueError:
      skipped['bad_token_file'] += 1
      continue
    tokens = np.asarray(tokens).astype(np.int64).ravel()
    tokens = tokens[(tokens >= vocab.NUM_RESERVED) &
                    (tokens < vocab.GENRE_OFFSET)].astype(np.int32)
    if len(tokens) == 0:
      skipped['no_events'] += 1
      continue
    samples.append((name, tokens))
  return samples, skipped


def classifier_probabilities(classifier, token_lists,
                             batch_size: int = 16) -> np.ndarray:
  """float [N, classes]: the frozen classifier's softmax, PAD-batched."""
  call = tf.function(lambda x: tf.nn.softmax(classifier(x, training=False)),
                     input_signature=[tf.TensorSpec([None, None], tf.int32)])
  outputs = []
  for start in range(0, len(token_lists), batch_size):
    batch = token_lists[start:start + batch_size]
    width = max(len(t) for t in batch)
    padded = np.zeros([len(batch), width], np.int32)
    for i, tokens in enumerate(batch):
      padded[i, :len(tokens)] = tokens
    outputs.append(call(tf.constant(padded)).numpy())
  return np.concatenate(outputs) if outputs else np.zeros([0, 0])


def _fidelity(probabilities, target: int) -> Dict[str, float]:
  return {'accuracy': float(np.mean(probabilities.argmax(-1) == target)),
          'probability': float(np.mean(probabilities[:, target]))}


def judge(token_lists, genre: str, evaluator, classifier,
          real_features: np.ndarray) -> dict:
  """All measures of one set of event-token sequences for `genre`."""
  matrix = features.feature_matrix(token_lists)
  row = {'count': len(token_lists),
         'mean_length': float(np.mean([len(t) for t in token_lists])),
         'evaluator': _fidelity(evaluator.predict_proba_features(matrix),
                                evaluator.genres.index(genre))}
  if classifier is not None:
    row['classifier'] = _fidelity(
        classifier_probabilities(classifier, list(token_lists)),
        classifier.genres.index(genre))
  row['feature_distance'] = metrics.feature_distances(real_features, matrix)
  row['diversity'] = metrics.diversity(token_lists)
  return row


def evaluate_genre(genre: str, samples: Sequence, evaluator, classifier,
                   builder, nll: Optional[float] = None, seed: int = 0,
                   num_reference: Optional[int] = None) -> List[dict]:
  """[generated row, real (test) row] for one genre's samples."""
  rng = np.random.default_rng(seed)
  length = int(np.median([len(t) for t in samples]))
  train = real_data.read_pieces(builder, 'train', [genre])
  real = real_data.random_crops(train, length, length, 2, seed)
  real = [real[i][0] for i in rng.permutation(len(real))[:MAX_REAL]]
  real_features = features.feature_matrix(real)
  rows = [dict(genre=genre, set='generated', generator_nll=nll,
               **judge(list(samples), genre, evaluator, classifier,
                       real_features))]
  split = 'test' if 'test' in builder.info.splits else 'validation'
  held_out = real_data.fixed_crops(
      real_data.read_pieces(builder, split, [genre]), length, 2)
  wanted = num_reference or max(len(samples), MIN_REFERENCE)
  reference = [held_out[i][0] for i in rng.permutation(len(held_out))[:wanted]]
  if reference:
    rows.append(dict(genre=genre, set=f'real ({split})', generator_nll=None,
                     **judge(reference, genre, evaluator, classifier,
                             real_features)))
  return rows


def headline(row: dict) -> dict:
  """The flat measures of one report row, as the benchmarks tabulate them."""
  classifier = row.get('classifier') or {}
  return {'evaluator_accuracy': row['evaluator']['accuracy'],
          'evaluator_probability': row['evaluator']['probability'],
          'classifier_probability': classifier.get('probability'),
          'nll': row['generator_nll'],
          'feature_overlap': row['feature_distance']['mean']['overlap'],
          'distinct_4': row['diversity']['distinct_4'],
          'self_similarity_4': row['diversity']['self_similarity_4']}


def _cell(value, digits=3):
  return '–' if value is None else f'{value:.{digits}f}'


def markdown(rows: Sequence[dict]) -> str:
  """The report's table (one row per genre and set)."""
  header = ('| genre | set | n | evaluator acc | evaluator p | classifier acc '
            '| classifier p | NLL | feature OA | feature KL | distinct-4 '
            '| self-sim-4 |')
  lines = [header, '|' + '---|' * header.count(' | ') + '---|']
  for row in rows:
    classifier = row.get('classifier') or {}
    distance = row['feature_distance'].get('mean', {})
    lines.append('| ' + ' | '.join([
        row['genre'], row['set'], str(row['count']),
        _cell(row['evaluator']['accuracy']),
        _cell(row['evaluator']['probability']),
        _cell(classifier.get('accuracy')), _cell(classifier.get('probability')),
        _cell(row['generator_nll']), _cell(distance.get('overlap')),
        _cell(distance.get('kl')),
        _cell(row['diversity']['distinct_4']),
        _cell(row['diversity']['self_similarity_4'])]) + ' |')
  return '\n'.join(lines) + '\n'


def write(rows: Sequence[dict], meta: dict, json_path: str,
          markdown_path: str) -> None:
  """Writes the report as JSON ({'meta', 'rows'}) and as markdown."""
  for path in (json_path, markdown_path):
    tf.io.gfile.makedirs(os.path.dirname(os.path.abspath(path)))
  with tf.io.gfile.GFile(json_path, 'w') as f:
    json.dump({'meta': meta, 'rows': list(rows)}, f, indent=2)
  notes = '\n'.join(f'- {key}: {value}' for key, value in meta.items())
  with tf.io.gfile.GFile(markdown_path, 'w') as f:
    f.write('# Genre evaluation\n\n' + markdown(rows) +
            '\nevaluator / classifier acc: share of sequences judged the '
            'target genre; p: mean target-genre probability. NLL: the '
            'generator on held-out real music of the genre (nats/token). '
            'feature OA / KL: mgeval overlap (1 = like real) and KL (0 = like '
            'real) to train-split music of the genre, averaged over feature '
            'groups. distinct-4: distinct 4-grams / all; self-sim-4: mean '
            'pairwise 4-gram Jaccard.\n\n' + notes + '\n')
