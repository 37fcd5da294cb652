"""conftest.py's order and groups of the tests, as this run collected them
(the README's command collects them all)."""

import pytest

from tests import conftest


def test_tests_sharing_a_module_fixture_are_one_group(request):
  items = [item for item in request.session.items
           if 'model_root' in item.fixturenames]  # test_generate's fixture
  if len(items) < 2:
    pytest.skip('this run did not collect test_generate.py')
  groups = {mark.args[0] for item in items
            for mark in item.iter_markers('xdist_group')}
  assert groups == {'tests/test_generate.py::model_root'}


def test_the_build_and_the_tiny_run_first_then_slow_then_fast(request):
  items = request.session.items
  slow = [item.get_closest_marker('slow') is not None for item in items]
  # Whatever -m kept: no slow test after the first fast one.
  first_fast = slow.index(False) if False in slow else len(slow)
  assert not any(slow[first_fast:])
  if any(conftest.uses(item, {'tiny_run'}) for item in items):
    assert conftest.uses(items[0], {'tiny_run'})
