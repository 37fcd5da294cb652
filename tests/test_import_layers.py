"""Imports run downward only: from a stage to the stages before it.

Every module of the package and of tfds_builders/ belongs to one unit
below; a unit may import itself and the units it lists, at module level or
inside a function alike.
"""

import ast
import os

import genre_transformer_gan

ROOT = os.path.dirname(genre_transformer_gan.__file__)
REPO = os.path.dirname(ROOT)

# Leaves first: what each unit may import besides itself.
_BASE = {'configs', 'run_layout', 'file_checks', 'version', 'atomic_files',
         'choices'}
ALLOWED = {
    'generator_configs': set(), 'stage_configs': set(),
    'configs': {'generator_configs', 'stage_configs'},
    'run_layout': set(), 'file_checks': set(),
    'version': set(), 'atomic_files': set(), 'choices': set(),
    'data': {'configs', 'atomic_files'},
    'testing': {'data', 'configs'},
    'tfds_builders': {'data', 'testing', 'configs'},
    'datasets': {'data', 'tfds_builders', 'configs'},
    'models': {'data'} | _BASE,
    'generation': {'data', 'models'} | _BASE,
    'evaluation': {'data', 'datasets', 'models'} | _BASE,
    'training': {'data', 'datasets', 'models', 'generation', 'evaluation'}
                | _BASE,
    'scripts': {'data', 'datasets', 'models', 'generation', 'evaluation',
                'training'} | _BASE,
    'package': {'data', 'datasets', 'models', 'generation', 'evaluation',
                'training'} | _BASE,
}


def _unit_of(name: str) -> str:
  """The unit of a module name ('genre_transformer_gan.data.x' -> 'data')."""
  parts = name.split('.')
  if parts[0] == 'tfds_builders':
    return 'tfds_builders'
  if parts[0] != 'genre_transformer_gan':
    return ''
  if len(parts) == 1:
    return 'package'
  return parts[1]


def _imported_units(path: str, own_package: str):
  tree = ast.parse(open(path).read())
  for node in ast.walk(tree):
    names = []
    if isinstance(node, ast.ImportFrom):
      if node.level:  # Relative: inside its own package.
        names = [own_package]
      elif node.module:
        names = [node.module] + (
            [f'{node.module}.{a.name}' for a in node.names]
            if node.module == 'genre_transformer_gan' else [])
    elif isinstance(node, ast.Import):
      names = [alias.name for alias in node.names]
    for name in names:
      if name == 'genre_transformer_gan' and isinstance(node, ast.ImportFrom):
        continue  # `from genre_transformer_gan import x`: x is listed.
      unit = _unit_of(name)
      if unit:
        yield unit


def _modules():
  """(unit, path, package) of every module of both trees."""
  for top in ('genre_transformer_gan', 'tfds_builders'):
    for folder, _, files in os.walk(os.path.join(REPO, top)):
      for name in sorted(files):
        if not name.endswith('.py'):
          continue
        path = os.path.join(folder, name)
        relative = os.path.relpath(path, REPO)[:-3].split(os.sep)
        if relative[-1] == '__init__':
          relative = relative[:-1]
        module = '.'.join(relative)
        unit = _unit_of(module)
        yield unit, path, '.'.join(relative[:2])


def test_every_module_has_a_unit():
  units = {unit for unit, _, _ in _modules()}
  assert units <= set(ALLOWED), units - set(ALLOWED)
  assert {'data', 'tfds_builders', 'datasets', 'training'} <= units


def test_imports_run_downward_only():
  problems = []
  for unit, path, package in _modules():
    for imported in _imported_units(path, package):
      if imported != unit and imported not in ALLOWED[unit]:
        problems.append(f'{os.path.relpath(path, REPO)} ({unit}) imports '
                        f'{imported}')
  assert not problems, problems


def test_the_check_sees_an_upward_import(tmp_path):
  """The walk finds imports inside functions too."""
  path = tmp_path / 'x.py'
  path.write_text('def f():\n  import tfds_builders\n'
                  'from genre_transformer_gan import datasets\n')
  assert set(_imported_units(str(path), 'genre_transformer_gan.data')) == {
      'tfds_builders', 'datasets'}
