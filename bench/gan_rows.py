"""bench_gan.py's result rows: read back, summarised over seeds, printed."""

import json

import numpy as np

import tables  # bench/tables.py
from genre_transformer_gan.evaluation import realism

MEASURES = ('fidelity', 'reject_rate', 'classifier_probability',
            'c2st_accuracy', 'frechet_distance', 'nll', 'held_note_share',
            'held_time_share', 'distinct_4')


def summarize(rows, arms, genres, control: str = 'B') -> list:
  """Per (arm, genre): mean over seeds [95 % bootstrap], and the paired
  difference against `control` per seed (keys `<measure>_vs_control`)."""
  summary = []
  for genre in genres:
    paired_with = {r['seed']: r for r in rows if r['genre'] == genre and
                   r['arm'] == control}
    for arm in arms:
      mine = sorted((r for r in rows if r['genre'] == genre and
                     r['arm'] == arm), key=lambda r: r['seed'])
      if not mine:
        continue
      entry = {'arm': arm, 'genre': genre, 'seeds': len(mine),
               'control': control}
      for key in MEASURES:
        values = np.array([r[key] for r in mine if r[key] is not None])
        entry[key] = float(values.mean()) if len(values) else None
        entry[f'{key}_interval'] = realism.bootstrap_interval(values)
        paired = np.array([r[key] - paired_with[r['seed']][key] for r in mine
                           if r['seed'] in paired_with and
                           r[key] is not None])
        if arm != control and len(paired):
          entry[f'{key}_vs_control'] = float(paired.mean())
          entry[f'{key}_vs_control_interval'] = realism.bootstrap_interval(
              paired)
      summary.append(entry)
  return summary


def read_rows(path, guide: str) -> list:
  """The rows of a rows*.jsonl file, the last per (arm, genre, seed);
  guidance arms only where they ranked with `guide`."""
  latest = {}
  with open(path) as f:
    for line in f:
      row = json.loads(line)
      if '+' in row['arm'] and row.get('guide') != guide:
        continue
      latest[row['arm'], row['genre'], row['seed']] = row
  return list(latest.values())


SUMMARY_MEASURES = ('fidelity', 'reject_rate', 'c2st_accuracy',
                    'frechet_distance', 'held_time_share', 'nll')


def summary_cells(entry) -> dict:
  """A summary entry's printed cells: each measure and its difference
  against the control with its 95 % interval."""
  cells = {key: entry[key] for key in ('arm', 'genre', 'seeds')}
  for key in SUMMARY_MEASURES:
    for name in (key, f'{key}_vs_control'):
      cells[name] = tables.with_interval(entry, name)
  return cells


def print_summary(rows, arms, genres, control) -> list:
  summary = summarize(rows, arms, genres, control)
  print(f'Mean over seeds [95 % bootstrap]; vs_control: paired by seed '
        f'against {control}.')
  tables.print_markdown([summary_cells(e) for e in summary],
                        ('arm', 'genre', 'seeds') + tuple(
                            f'{key}{suffix}' for key in SUMMARY_MEASURES
                            for suffix in ('', '_vs_control')))
  return summary
