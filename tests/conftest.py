"""Shared fixtures: real music from music21's corpus, a built corpus_genre.

The expensive ones are made once per run even when pytest-xdist runs the
tests in several processes (`-n 2`): the first process to need one makes it
in a folder all of them share, under a file lock; the others wait, then read
it.
"""

import contextlib
import fcntl
import os
import pickle

import pytest

# pytest-xdist runs a test process per core (`-n 2`): each runs TensorFlow's
# kernels on one thread, as do the commands the tests start (they inherit
# the variable), so that two processes do not share the cores among four
# threads (the fast tier 5 min 21 s -> 4 min 54 s on a 2-core AMD EPYC Zen
# 2). A value already set is kept (0: TensorFlow's default).
if os.environ.get('PYTEST_XDIST_WORKER'):
  os.environ.setdefault('TF_NUM_INTRAOP_THREADS', '1')

# First: importing the package turns on oneDNN before TensorFlow loads, as
# it does for the console commands.
import genre_transformer_gan  # pylint: disable=unused-import
import tensorflow as tf  # pylint: disable=wrong-import-order

# Two logical CPU devices, before TF initialises, for tf.distribute tests.
_CPUS = tf.config.list_physical_devices('CPU')
tf.config.set_logical_device_configuration(
    _CPUS[0], [tf.config.LogicalDeviceConfiguration()] * 2)


@pytest.fixture(autouse=True)
def _eager_where_marked(request):
  """Tests marked `eager` run tf.functions eagerly: a tiny model's few
  training steps cost less than tracing them (the GAN-stage trainer's test
  53 s -> 14 s on a 2-core AMD EPYC Zen 2). The rest trace, as the commands
  do; sampling many tokens is faster traced. tests/test_graph_equals_eager.py
  holds the traced steps to the eager ones.
  """
  tf.config.run_functions_eagerly(
      request.node.get_closest_marker('eager') is not None)
  yield
  tf.config.run_functions_eagerly(False)


def _shared_dir(tmp_path_factory):
  """A folder every test process of this run sees (xdist: the workers'
  common parent; one process: its own base folder)."""
  base = tmp_path_factory.getbasetemp()
  return base.parent if os.environ.get('PYTEST_XDIST_WORKER') else base


@contextlib.contextmanager
def _made_once(tmp_path_factory, name):
  """Yields <shared>/<name>, holding an exclusive lock on it meanwhile."""
  path = _shared_dir(tmp_path_factory) / name
  with open(f'{path}.lock', 'w') as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
      yield path
    finally:
      fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope='session')
def corpus_midi(corpus_data_dir):
  """{piece id: MIDI bytes} for >= 100 pieces of real music (3 genres): the
  first 40 per genre of corpus_small_builder's, read as its build read
  them (the renderings it kept or the package ships; music21 renders them
  again only if they are missing)."""
  from genre_transformer_gan.data import corpus_lib  # pylint: disable=import-outside-toplevel
  from tfds_builders.corpus_genre import corpus_genre_dataset_builder  # pylint: disable=import-outside-toplevel
  cache_folder = corpus_genre_dataset_builder.kept_renderings(corpus_data_dir)
  midi = {}
  for piece in corpus_lib.list_pieces(max_per_genre=40, max_file_bytes=20_000):
    try:
      midi[piece.id] = corpus_lib.piece_to_midi(piece, cache_folder)
    except Exception:  # pylint: disable=broad-except
      pass  # music21 cannot read it (the build skipped it too).
  assert len(midi) >= 100, len(midi)
  return midi


@pytest.fixture(scope='session')
def corpus_small_builder(tmp_path_factory):
  """corpus_genre/small built from an empty data_dir (seconds: from the
  renderings the package ships)."""
  from genre_transformer_gan import datasets  # pylint: disable=import-outside-toplevel
  with _made_once(tmp_path_factory, 'tfds_data') as data_dir:
    return datasets.get_builder('corpus_genre/small',
                                data_dir=os.fspath(data_dir))


@pytest.fixture(scope='session')
def corpus_data_dir(corpus_small_builder):
  """The TFDS data_dir that holds corpus_small_builder's data (for commands)."""
  return os.fspath(corpus_small_builder.data_dir_root)


# The fixtures that wait for the embedded dataset's build (seconds from
# the shipped renderings; about 3 minutes on 2 cores where music21 renders).
_NEED_THE_BUILD = frozenset(
    {'corpus_small_builder', 'corpus_data_dir', 'corpus_midi', 'tiny_run'})


def uses(item, fixtures) -> bool:
  """Whether `item` uses any of `fixtures` (names)."""
  return bool(set(fixtures) & set(getattr(item, 'fixturenames', ())))


def _module_fixtures(item):
  """The module-scoped fixtures `item` uses (a module's setup of seconds)."""
  info = getattr(item, '_fixtureinfo', None)
  return sorted(name for name, defs in getattr(info, 'name2fixturedefs',
                                               {}).items()
                if defs and defs[-1].scope == 'module')


# Before pytest-xdist's workers read the groups, and before -m deselects
# (which keeps the order).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
  """Orders and groups the tests for two processes that each take the next
  one when they are free (README's `-n 2` with pytest.ini's `--dist
  loadgroup`; tests/test_conftest.py checks both rules).

  The order: first a test that needs the embedded build and conftest's
  genre_gan_train run (one process makes both while the other runs the
  slow tests that need neither), then those slow tests, then the other
  tests that need the build, then the fast tier's, short ones last so
  both processes finish together. The tests that share a module-scoped
  fixture are one group, run by one process, so that its setup is not
  made twice. The order is the same in every process, as pytest-xdist
  needs.
  """
  for item in items:
    shared = _module_fixtures(item)
    if shared:
      item.add_marker(pytest.mark.xdist_group(
          f'{item.nodeid.split("::")[0]}::{shared[0]}'))
  def slow(item):
    return item.get_closest_marker('slow') is not None
  build = [item for item in items if uses(item, _NEED_THE_BUILD)]
  build.sort(key=lambda item: not uses(item, {'tiny_run'}))  # stable
  rest = [item for item in items if not uses(item, _NEED_THE_BUILD)]
  items[:] = (build[:1] + [item for item in rest if slow(item)] + build[1:]
              + [item for item in rest if not slow(item)])


FOLDER_GENRES = ('classical', 'early', 'folk')  # midi_folders sorts them.


@pytest.fixture(scope='session')
def folders_builder(tmp_path_factory):
  """midi_folders built from generated MIDI of three genres (seconds): a real
  TFDS dataset with train / validation / test splits for fast tests."""
  from genre_transformer_gan import datasets  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.testing import synthetic_midi  # pylint: disable=import-outside-toplevel
  with _made_once(tmp_path_factory, 'folders') as root:
    for style, genre in enumerate(FOLDER_GENRES if not root.exists() else ()):
      folder = root / 'midi' / genre
      folder.mkdir(parents=True, exist_ok=True)
      for seed in range(16):
        (folder / f'piece{seed}.mid').write_bytes(
            synthetic_midi.style_midi(style, seed, num_notes=300))
    return datasets.get_builder('midi_folders', data_dir=str(root / 'tfds'),
                                manual_dir=str(root / 'midi'))


# The end-to-end command's settings: every stage, in seconds per stage.
TINY_RUN_FLAGS = ('--genre=classical', '--config=tiny', '--mle_steps=20',
                  '--num_samples=3', '--sample_length=24',
                  '--eval_batches=2',
                  # The KL reference doubles as the report's control arm.
                  '--kl_weight=1')


@pytest.fixture(scope='session')
def tiny_run(corpus_data_dir, tmp_path_factory):
  """`genre_gan_train` run once, as a user would, on the embedded dataset
  (classifier, evaluator, 20 MLE steps, 4 adversarial steps, report).

  Returns (runs folder, the command's flags but --model_dir, its
  CompletedProcess); the run is <runs folder>/tiny. Tests read it; one that
  changes it works on a copy (shutil.copytree).
  """
  from tests import console  # pylint: disable=import-outside-toplevel
  with _made_once(tmp_path_factory, 'tiny_run') as root:
    flags = TINY_RUN_FLAGS + (f'--data_dir={corpus_data_dir}',)
    root.mkdir(exist_ok=True)
    if not (root / 'result.pickle').exists():
      result = console.run_script(
          'genre_gan_train', *flags, f'--model_dir={root / "runs" / "tiny"}',
          '--adv_steps=4')
      with open(root / 'result.pickle', 'wb') as f:
        pickle.dump(result, f)
    with open(root / 'result.pickle', 'rb') as f:
      return root / 'runs', flags, pickle.load(f)
