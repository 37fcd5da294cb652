"""index.json, index.md and index.html: what genre_gan_generate wrote, and how.

index.html is a page to listen with (listen_page.py): a player, the piano
roll and the verdicts per sample, the primer beside the first.

index.json:
  {'settings': {genre, num_samples, length, temperature, top_k, top_p, seed,
                batch_size, primer, primer_tokens, synth, sample_rate,
                soundfont, guidance, seconds, primer_seconds,
                max_note_seconds, ngram_cache: {cache_weights, cache_fade}
                or None},
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


from genre_transformer_gan import atomic_files
from genre_transformer_gan.generation import listen_page

INDEX_JSON = 'index.json'
INDEX_MARKDOWN = 'index.md'
INDEX_HTML = 'index.html'
PRIMER_DIR = 'primer'


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


def verdict_summary(entries: List[dict], genre: str) -> str:
  """'N of M judged <genre>, R rejected' by the evaluator ('' if none)."""
  verdicts = [entry.get('genre_probabilities', {}).get('evaluator_verdict')
              for entry in entries]
  verdicts = [v for v in verdicts if v]
  if not verdicts:
    return ''
  return (f'{sum(v == genre for v in verdicts)} of {len(verdicts)} judged '
          f'{genre}, {sum(v == "rejected" for v in verdicts)} rejected')


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
  verdicts = verdict_summary(index['samples'], settings['genre'])
  if verdicts:
    lines += [f'Evaluator verdicts on the samples: {verdicts} '
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


def files_of(output_dir: str) -> List[str]:
  """The files an earlier run's index.json in output_dir lists (relative
  paths, the index files included); [] if there is no index."""
  path = os.path.join(output_dir, INDEX_JSON)
  if not os.path.exists(path):
    return []
  try:
    with open(path) as f:
      index = json.load(f)
    entries = list(index.get('samples') or [])
    primer = index.get('primer')
  except (ValueError, AttributeError, TypeError):  # Unreadable: the index only.
    entries, primer = [], None
  files = [INDEX_JSON, INDEX_MARKDOWN, INDEX_HTML]
  for entry, folder in [(e, '') for e in entries] + (
      [(primer, PRIMER_DIR)] if isinstance(primer, dict) else []):
    for key in ('midi', 'tokens_file', 'wav', 'png'):
      if isinstance(entry, dict) and entry.get(key):
        files.append(os.path.join(folder, os.path.basename(entry[key])))
  return files


def write_html(index: dict, output_dir: str) -> str:
  """output_dir/index.html: the samples (and the primer) to listen to."""
  settings, model = index['settings'], index['model']
  genre = settings['genre']
  columns = [listen_page.Column(
      f'{genre} samples', '', index['samples'],
      verdict_summary(index['samples'], genre))]
  if index['primer']:
    columns.insert(0, listen_page.Column('primer', 'primer/',
                                         [index['primer']]))
  intro = (f'{len(index["samples"])} samples of {genre} by '
           f'{model["checkpoint"]} ({model["stage"]}, config '
           f'{model["config"]}); temperature {settings["temperature"]}, '
           f'top-p {settings["top_p"]}, seed {settings["seed"]}, guidance '
           f'{settings["guidance"]}. Settings and judges: index.md.')
  return listen_page.write(os.path.join(output_dir, INDEX_HTML),
                           f'{genre}: {len(index["samples"])} samples',
                           intro, columns, genre)


def write(index: dict, output_dir: str) -> None:
  """Writes output_dir/index.json, index.md and index.html."""
  atomic_files.write_json(os.path.join(output_dir, INDEX_JSON), index)
  atomic_files.write_text(os.path.join(output_dir, INDEX_MARKDOWN),
                          markdown(index))
  write_html(index, output_dir)
