"""setup.py ships what the package reads: every data file under
genre_transformer_gan/ matches its package_data (pretrained weights and
cards, the embedded dataset's renderings), so a wheel works like this
checkout."""

import ast
import fnmatch
import os

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _package_data() -> dict:
  with open(os.path.join(_REPO, 'setup.py')) as f:
    tree = ast.parse(f.read())
  for node in ast.walk(tree):
    if isinstance(node, ast.keyword) and node.arg == 'package_data':
      return ast.literal_eval(node.value)
  raise AssertionError('setup.py has no package_data')


def test_every_data_file_of_the_package_is_package_data():
  patterns = _package_data()['genre_transformer_gan']
  root = os.path.join(_REPO, 'genre_transformer_gan')
  data_files = [os.path.relpath(os.path.join(folder, name), root)
                for folder, dirs, names in os.walk(root)
                if '__pycache__' not in folder for name in names
                if not name.endswith(('.py', '.pyc'))]
  assert 'data/corpus_genre_small_renderings.npz' in data_files
  assert 'pretrained/small.npz' in data_files
  unshipped = [path for path in data_files
               if not any(fnmatch.fnmatch(path, p) for p in patterns)]
  assert not unshipped, f'add to setup.py package_data: {unshipped}'
