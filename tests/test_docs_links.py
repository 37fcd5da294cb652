"""The documents' links land: every relative link in README.md,
BENCHMARKS.md and the model cards names a file that exists and, after #,
one of its headings (GitHub's anchors)."""

import os
import re

import pytest

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DOCUMENTS = ('README.md', 'BENCHMARKS.md',
              'genre_transformer_gan/pretrained/small.md',
              'genre_transformer_gan/pretrained/small_classifier.md')
_LINK = re.compile(r'\]\(([^)\s]+)\)')


def _anchors(path) -> set:
  """GitHub's anchors of a Markdown file's headings."""
  anchors = set()
  with open(path, encoding='utf-8') as f:
    in_code = False
    for line in f:
      if line.startswith('```'):
        in_code = not in_code
      if in_code or not line.startswith('#'):
        continue
      title = line.lstrip('#').strip().lower()
      slug = re.sub(r'[^\w\- ]', '', title).replace(' ', '-')
      anchor, n = slug, 1
      while anchor in anchors:  # repeated headings get -1, -2, ...
        anchor, n = f'{slug}-{n}', n + 1
      anchors.add(anchor)
  return anchors


@pytest.mark.parametrize('document', _DOCUMENTS)
def test_relative_links_name_a_file_and_a_heading(document):
  path = os.path.join(_REPO, document)
  with open(path, encoding='utf-8') as f:
    text = f.read()
  broken = []
  for target in _LINK.findall(text):
    if re.match(r'[a-z]+:', target):  # https:, mailto:, file:
      continue
    name, _, anchor = target.partition('#')
    linked = os.path.normpath(os.path.join(os.path.dirname(path), name)
                              if name else path)
    if not os.path.exists(linked):
      broken.append(target)
    elif anchor and linked.endswith('.md') and anchor not in _anchors(linked):
      broken.append(target)
  assert not broken, f'{document}: {broken}'
