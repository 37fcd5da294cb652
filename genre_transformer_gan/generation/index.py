"""index.json and index.md: what genre_gan_generate wrote, and how.

index.json:
  {'settings': {genre, num_samples, length, temperature, top_k, top_p, seed,
                batch_size, primer, primer_tokens, synth, sample_rate,
                soundfont},
   'model': {'model_dir', 'checkpoint', 'stage', 'config', 'generator'},
   'judges': {'evaluator': dir or None, 'classifier': dir or None},
   'primer': entry or None,          # files under primer/
   'samples': [entry, ...]}
  entry: {'name', 'midi', 'tokens_file' (.npy), 'wav' (None without
          audio), 'png', 'tokens',
          'notes', 'seconds', 'genre_probabilities':
          {'evaluator': {genre or 'not_music': p},
           'evaluator_verdict': genre or 'rejected',
           'classifier': {genre: p}}}
A sample's genre probabilities are those of its generated continuation
(without the primer); the primer's are in its own entry.
"""

import json
import os
from typing import List, Optional

import tensorflow as tf

INDEX_JSON = 'index.json'
INDEX_MARKDOWN = 'index.md'


def make_index(settings: dict, checkpoint, config, samples: List[dict],
               primer: Optional[dict], judges: dict) -> dict:
  """The index (see the module docstring); config: the run's configs.Config."""
  return {'settings': settings,
          'model': {'model_dir': checkpoint.model_dir,
                    'checkpoint': checkpoint.prefix,
                    'stage': checkpoint.stage, 'config': config.name,
                    'generator': config.generator},
          'judges': judges, 'primer': primer, 'samples': samples}


def _link(name: Optional[str], folder: str = '') -> str:
  if not name:
    return '–'
  return f'[{name}]({folder}{name})'


def _probability_columns(index: dict):
  """[(judge, genre)] present in any entry, in a stable order."""
  columns = []
  entries = index['samples'] + ([index['primer']] if index['primer'] else [])
  for judge in ('evaluator', 'classifier'):
    for entry in entries:
      for genre in entry.get('genre_probabilities', {}).get(judge, {}):
        if (judge, genre) not in columns:
          columns.append((judge, genre))
  return columns


def markdown(index: dict) -> str:
  """The index as a markdown page: settings, then one row per file."""
  settings, model = index['settings'], index['model']
  lines = [f'# {settings["genre"]}: {len(index["samples"])} samples', '',
           f'Model: `{model["checkpoint"]}` ({model["stage"]}, '
           f'{model["generator"]}, config '
           f'{model["config"]}).', '',
           'Settings: ' + ', '.join(f'{k}={v}' for k, v in settings.items()),
           '']
  columns = _probability_columns(index)
  if columns:
    lines += ['Genre probabilities of the generated continuation (the '
              'primer row: of the primer) by the independent evaluator '
              f'(`{index["judges"]["evaluator"]}`) and the frozen classifier '
              f'(`{index["judges"]["classifier"]}`).', '']
  else:
    lines += ['No genre probabilities: no independent evaluator or '
              'classifier was found.', '']
  verdicts = [entry.get('genre_probabilities', {}).get('evaluator_verdict')
              for entry in index['samples']]
  verdicts = [v for v in verdicts if v]
  if verdicts:
    genre = settings['genre']
    lines += [f'Evaluator verdicts on the samples: '
              f'{sum(v == genre for v in verdicts)} of {len(verdicts)} judged '
              f'{genre}, {sum(v == "rejected" for v in verdicts)} rejected '
              '(not music of any genre it knows: its not_music class or its '
              'realism gate). Read the frozen classifier\'s probabilities '
              'next to the reject rate: the classifier cannot reject.', '']
  header = ['sample', 'notes', 'seconds', 'MIDI', 'WAV', 'piano roll'] + (
      ['evaluator verdict'] if verdicts else []) + [
          f'{judge} p({genre})' for judge, genre in columns]
  lines += ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
  rows = [(entry, '') for entry in index['samples']]
  if index['primer']:
    rows.insert(0, (index['primer'], 'primer/'))
  for entry, folder in rows:
    probabilities = entry.get('genre_probabilities', {})
    cells = [entry['name'], str(entry['notes']), f'{entry["seconds"]:.1f}',
             _link(entry['midi'], folder), _link(entry['wav'], folder),
             _link(entry['png'], folder)]
    if verdicts:
      cells.append(probabilities.get('evaluator_verdict', '–'))
    for judge, genre in columns:
      value = probabilities.get(judge, {}).get(genre)
      cells.append('–' if value is None else f'{value:.3f}')
    lines.append('| ' + ' | '.join(cells) + ' |')
  return '\n'.join(lines) + '\n'


def write(index: dict, output_dir: str) -> None:
  """Writes output_dir/index.json and index.md."""
  with tf.io.gfile.GFile(os.path.join(output_dir, INDEX_JSON), 'w') as f:
    json.dump(index, f, indent=2)
  with tf.io.gfile.GFile(os.path.join(output_dir, INDEX_MARKDOWN), 'w') as f:
    f.write(markdown(index))
