"""The evaluation report as a markdown table and as files (JSON + markdown)."""

import os
from typing import List, Sequence

import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan.evaluation import copying
from genre_transformer_gan.evaluation import report

COLUMNS = ('genre | set | n | fidelity | reject | evaluator p | classifier p '
           '| C2ST acc | Fréchet | held notes | held time | NLL | feature OA '
           '| distinct-4 | copied')
LEGEND = (
    'fidelity: share of sequences the independent evaluator judges the target '
    'genre (rejects count as failures); reject: share it rejects as not music '
    'of any genre it knows; evaluator p / classifier p: mean target-genre '
    'probability by the evaluator / the frozen classifier (the adversary, '
    'which cannot reject). C2ST acc: a fresh classifier\'s cross-validated '
    'accuracy telling the set from held-out real music of the genre (0.5: '
    'indistinguishable, 1.0: always told apart); Fréchet: distance between '
    'the two sets\' standardised feature distributions (compare with the real '
    'row, which has the same sizes); brackets: 95 % intervals (Wilson for '
    'shares of samples, bootstraps over pieces for real crops). held '
    'notes: notes longer than 4 s / all notes; held time: share of the '
    'time in which such a note sounds (a drone). NLL: the generator on '
    'held-out real music of the genre (nats/token). feature OA: mgeval '
    'overlap with train-split music of the genre (1 = like real). '
    'distinct-4: distinct 4-grams / all. copied: share of the set\'s runs '
    f'of {copying.N_GRAM} steps from note to note (pitch and onset change) '
    'found in '
    'train-split music of the genre; real music shares some (cadences, '
    'scales), so compare with the real row. Negative rows (uniform, unigram, '
    'shuffled, drone) are not music: a measure they pass measures nothing.')


def _cell(value, digits=3):
  return '–' if value is None else f'{value:.{digits}f}'


def _with_interval(row, key, digits=3):
  interval = row.get(key + '_interval')
  if row.get(key) is None or not interval:
    return _cell(row.get(key), digits)
  return (f'{row[key]:.{digits}f} [{interval[0]:.{digits}f}, '
          f'{interval[1]:.{digits}f}]')


def markdown(rows: Sequence[dict]) -> str:
  """The report's table (one row per genre and set)."""
  header = '| ' + COLUMNS + ' |'
  lines = [header, '|' + '---|' * (COLUMNS.count(' | ') + 1)]
  for row in rows:
    distance = row['feature_distance'].get('mean', {})
    lines.append('| ' + ' | '.join([
        row['genre'], row['set'], str(row['count']),
        _with_interval(row, 'fidelity', 2),
        _cell(row['reject_rate'], 2),
        _cell(row['evaluator_probability']),
        _cell(row['classifier_probability']),
        _with_interval(row, 'c2st_accuracy', 2),
        _with_interval(row, 'frechet_distance', 1),
        _cell(row['held_note_share']), _cell(row.get('held_time_share')),
        _cell(row['generator_nll']), _cell(distance.get('overlap')),
        _cell(row['diversity']['distinct_4']),
        _cell(row.get('copied_share'))]) + ' |')
  return '\n'.join(lines) + '\n'


def sanity_warnings(rows: Sequence[dict]) -> List[str]:
  """Lines to print loudly when real music fails its own judges, or is
  too little to judge by."""
  lines = []
  for row in rows:
    real = str(row.get('set', '')).startswith('real')
    if (real and row.get('fidelity') is not None and
        row['fidelity'] < report.REAL_FIDELITY_FLOOR):
      lines.append(
          f'WARNING: real {row["genre"]} music ({row["set"]}) is judged '
          f'{row["genre"]} only {row["fidelity"]:.2f} of the time (below '
          f'{report.REAL_FIDELITY_FLOOR}): the judges fail on real music '
          'here, so the rows above measure little. Check the samples\' length '
          '(crops as short are hard to judge) and the evaluator.')
    if real and 'c2st_accuracy' in row and row['c2st_accuracy'] is None:
      lines.append(
          f'WARNING: the held-out {row["genre"]} music of {row["set"]} is '
          'too little for the two-sample test, which needs crops of two '
          'pieces or more on each side: it judges neither that row nor the '
          f'negatives made from it. Give {row["genre"]} more music.')
    if row.get('set') == 'generated' and row.get('reference_split') == 'train':
      lines.append(
          f'WARNING: {row["genre"]} has no held-out music to judge realism '
          'against, so the samples are compared with train music, which the '
          f'generator learned (C2ST, Fréchet). Give {row["genre"]} more '
          'music.')
  return lines


def write(rows: Sequence[dict], meta: dict, json_path: str,
          markdown_path: str) -> None:
  """Writes the report as JSON ({'meta', 'rows'}) and as markdown."""
  for path in (json_path, markdown_path):
    tf.io.gfile.makedirs(os.path.dirname(os.path.abspath(path)))
  atomic_files.write_json(json_path, {'meta': meta, 'rows': list(rows)})
  notes = '\n'.join(f'- {key}: {value}' for key, value in meta.items())
  references = sorted({row.get('reference') for row in rows} - {None})
  warnings = ''.join(f'**{line}**\n\n'
                     for line in sanity_warnings(rows))
  atomic_files.write_text(
      markdown_path, '# Genre evaluation\n\n' + warnings + markdown(rows) +
      '\n' +
      LEGEND + (' Realism reference: ' + '; '.join(references) + '.'
                if references else '') + '\n\n' + notes + '\n')
