"""bench/bench_coverage.py: a genre's sources, as its pieces' ids name them."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'bench'))
import bench_coverage  # pylint: disable=g-import-not-at-top,wrong-import-position


def test_sources_below_the_share_are_other():
  named = ([(f'bach/bwv{i}.mxl', [i]) for i in range(8)] +
           [('mozart/k155.mxl', [8]), ('haydn/op1.mxl', [9])])
  groups = bench_coverage.source_groups(named, min_share=0.1)
  assert groups == {'bach': 'bach', 'mozart': 'mozart', 'haydn': 'haydn'}
  groups = bench_coverage.source_groups(named, min_share=0.2)
  assert groups == {'bach': 'bach', 'mozart': 'other', 'haydn': 'other'}
  pieces = bench_coverage.by_group(named + [('chopin/op10.mxl', [10])],
                                   groups)
  assert len(pieces['bach']) == 8
  assert pieces['other'] == [[8], [9], [10]]  # Unseen in train: other.
  assert bench_coverage.source_of('no_folder.mid') == 'no_folder.mid'
