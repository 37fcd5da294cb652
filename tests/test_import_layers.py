"""The stage folders import downward only (no cycles between stages)."""

import ast
import os

import genre_transformer_gan

# Each stage may import itself and the stages listed.
ALLOWED = {
    'data': {'data'},
    'models': {'data', 'models'},
    'generation': {'data', 'models', 'generation'},
    'evaluation': {'data', 'models', 'evaluation'},
    'training': {'data', 'models', 'generation', 'evaluation', 'training'},
    'testing': {'data', 'testing'},
}


def _stages_imported(path):
  tree = ast.parse(open(path).read())
  for node in ast.walk(tree):
    names = []
    if isinstance(node, ast.ImportFrom) and node.module:
      names = [node.module]
    elif isinstance(node, ast.Import):
      names = [alias.name for alias in node.names]
    for name in names:
      parts = name.split('.')
      if parts[0] == 'genre_transformer_gan' and len(parts) > 1:
        yield parts[1]


def test_stages_import_downward_only():
  root = os.path.dirname(genre_transformer_gan.__file__)
  problems = []
  for stage, allowed in ALLOWED.items():
    folder = os.path.join(root, stage)
    for name in sorted(os.listdir(folder)):
      if not name.endswith('.py'):
        continue
      for imported in _stages_imported(os.path.join(folder, name)):
        if imported in ALLOWED and imported not in allowed:
          problems.append(f'{stage}/{name} imports {imported}')
  assert not problems, problems
