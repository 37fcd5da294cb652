"""A page to listen with: players, piano rolls and verdicts, side by side.

  listen_page.write(path, title, intro, [Column('tuned', 'samples/', entries),
                                         Column('control', ...), ...])

One column per set of pieces (e.g. the tuned generator's samples, its
control, real music of the genre), one row per piece number, so sample i of
each set sits side by side. A cell holds an <audio> player, the piano roll,
a MIDI link and the judges' verdict. Entries are index.py's (name, midi,
wav, png, seconds, genre_probabilities); links are relative to the page, so
it works from file:// and offline: no CDN, no external script. A few lines
of inline JavaScript write each clip's duration next to its player once the
browser has read it (also as `data-duration`, or `data-error` when the file
cannot load: how tests/test_listen_page.py checks, in headless Chromium,
that every player's audio loads).
"""

import dataclasses
import html
import os
from typing import Optional, Sequence

import tensorflow as tf

from genre_transformer_gan import atomic_files

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ddd; padding: .5em; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
.piece { width: 30em; }
.number { color: #888; }
audio { width: 100%; }
img { width: 100%; display: block; margin: .3em 0; }
.meta, .verdict, .summary { font-size: .85em; color: #555; }
.rejected { color: #b00; }
"""

# Shows each clip's duration once known; marks players whose file fails.
_SCRIPT = """
for (const audio of document.querySelectorAll('audio')) {
  const label = audio.parentElement.querySelector('.duration');
  const show = () => {
    audio.dataset.duration = audio.duration.toFixed(2);
    label.textContent = audio.duration.toFixed(1) + ' s of audio';
  };
  const fail = () => {
    audio.dataset.error = 'cannot load';
    label.textContent = 'audio file missing or unreadable';
  };
  if (audio.error) fail(); else if (audio.readyState >= 1) show();
  audio.addEventListener('loadedmetadata', show);
  audio.addEventListener('error', fail);
}
"""


@dataclasses.dataclass(frozen=True)
class Column:
  """One set of pieces.

  Attributes:
    title: the column's heading.
    folder: where its files are, relative to the page ('' or 'samples/').
    entries: index.py entries, one per piece.
    summary: a line under the heading (e.g. the evaluator's fidelity).
  """
  title: str
  folder: str
  entries: Sequence[dict]
  summary: str = ''


def _verdict(entry: dict, genre: Optional[str]) -> str:
  judged = entry.get('genre_probabilities') or {}
  parts = []
  verdict = judged.get('evaluator_verdict')
  if verdict:
    p = judged.get('evaluator', {}).get(genre) if genre else None
    css = ' class="rejected"' if verdict == 'rejected' else ''
    parts.append(f'evaluator: <b{css}>{html.escape(verdict)}</b>' +
                 (f' (p({html.escape(genre)}) {p:.2f})' if p is not None
                  else ''))
  p = judged.get('classifier', {}).get(genre) if genre else None
  if p is not None:
    parts.append(f'classifier p({html.escape(genre)}) {p:.2f}')
  return ' · '.join(parts)


def _cell(entry: Optional[dict], folder: str, genre: Optional[str]) -> str:
  if entry is None:
    return '<td class="piece"></td>'
  link = lambda name: html.escape(folder + name, quote=True)
  name = html.escape(entry['name'])
  meta = [name]
  if entry.get('seconds') is not None:
    meta.append(f'{entry["seconds"]:.1f} s')
  if entry.get('midi'):
    meta.append(f'<a href="{link(entry["midi"])}">MIDI</a>')
  parts = [f'<div class="meta">{" · ".join(meta)}</div>']
  if entry.get('wav'):
    parts.append(f'<audio controls preload="metadata" '
                 f'src="{link(entry["wav"])}"></audio>'
                 '<div class="meta duration"></div>')
  else:
    parts.append('<div class="meta">no audio rendered</div>')
  if entry.get('png'):
    parts.append(f'<img src="{link(entry["png"])}" '
                 f'alt="piano roll of {name}">')
  verdict = _verdict(entry, genre)
  if verdict:
    parts.append(f'<div class="verdict">{verdict}</div>')
  return '<td class="piece">' + ''.join(parts) + '</td>'


def page(title: str, intro: str, columns: Sequence[Column],
         genre: Optional[str] = None) -> str:
  """The HTML page (a string). intro: plain text, escaped here."""
  head = ''.join(
      f'<th class="piece">{html.escape(c.title)}' +
      (f'<div class="summary">{html.escape(c.summary)}</div>'
       if c.summary else '') + '</th>' for c in columns)
  rows = []
  for i in range(max((len(c.entries) for c in columns), default=0)):
    cells = ''.join(_cell(c.entries[i] if i < len(c.entries) else None,
                          c.folder, genre) for c in columns)
    rows.append(f'<tr><td class="number">{i + 1}</td>{cells}</tr>')
  return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
          f'<title>{html.escape(title)}</title><style>{_STYLE}</style>'
          f'</head><body><h1>{html.escape(title)}</h1>'
          f'<p>{html.escape(intro)}</p><table><tr><th class="number"></th>'
          f'{head}</tr>'
          + '\n'.join(rows) + f'</table><script>{_SCRIPT}</script>'
          '</body></html>\n')


def write(path: str, title: str, intro: str, columns: Sequence[Column],
          genre: Optional[str] = None) -> str:
  """Writes the page to `path` (links relative to its folder); the path."""
  tf.io.gfile.makedirs(os.path.dirname(path) or '.')
  atomic_files.write_text(path, page(title, intro, columns, genre))
  return path
