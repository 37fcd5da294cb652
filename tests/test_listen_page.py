"""Pages to listen with, as a person sees them (headless Chromium)."""

import os
import re
import shutil
import subprocess

import pytest

from genre_transformer_gan.generation import api
from genre_transformer_gan.generation import listen_page

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


def _entry(name, wav=True):
  return {'name': name, 'midi': name + '.mid', 'png': name + '.png',
          'wav': name + '.wav' if wav else None, 'seconds': 12.0,
          'genre_probabilities': {
              'evaluator': {'folk': 0.9, 'not_music': 0.1},
              'evaluator_verdict': 'folk', 'classifier': {'folk': 0.97}}}


def test_page_puts_sets_side_by_side_with_relative_links():
  page = listen_page.page(
      'Listen <folk>', 'intro & more', [
          listen_page.Column('generated', 'samples/',
                             [_entry('folk_00'), _entry('folk_01')], '2 of 2'),
          listen_page.Column('real (test)', 'real/',
                             [_entry('a"b', wav=False)])])
  assert '<title>Listen &lt;folk&gt;</title>' in page
  assert 'intro &amp; more' in page
  assert page.count('<tr><td class="number">') == 2
  assert 'src="samples/folk_01.wav"' in page
  assert 'src="real/a&quot;b.png"' in page and 'no audio rendered' in page
  assert 'evaluator: <b>folk</b> (p(folk) 0.90)' not in page  # no genre given
  with_genre = listen_page.page('t', '', [listen_page.Column(
      'g', '', [_entry('x')])], genre='folk')
  assert 'evaluator: <b>folk</b> (p(folk) 0.90)' in with_genre
  assert 'classifier p(folk) 0.97' in with_genre
  assert 'http' not in page  # nothing fetched from the network


def _durations(page_path):
  """{'loaded': [seconds], 'failed': n} of a page's players, in Chromium."""
  if CHROMIUM is None:
    pytest.skip('chromium is not installed (apt-get install chromium, as '
                '.ci/run does)')
  dom = subprocess.run(
      [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu',
       '--virtual-time-budget=20000', '--dump-dom',
       'file://' + os.path.abspath(page_path)],
      capture_output=True, text=True, timeout=120, check=True).stdout
  return {'players': dom.count('<audio '),
          'loaded': [float(s) for s in re.findall(r'data-duration="([\d.]+)"',
                                                  dom)],
          'failed': dom.count('data-error=')}


@pytest.mark.slow
def test_generate_index_page_plays_in_chromium(tmp_path):
  api.generate(genre='folk', seconds=4, num_samples=2, seed=0,
               output_dir=str(tmp_path), log=lambda *_: None)
  os.remove(tmp_path / 'folk_01.wav')  # a lost file shows, not hides
  found = _durations(tmp_path / 'index.html')
  assert found['players'] == 2 and found['failed'] == 1
  assert len(found['loaded']) == 1 and found['loaded'][0] >= 4.0


def test_the_report_page_renders_the_first_pieces_of_each_set(tmp_path):
  """final_report.write_listen_page: LISTEN_PIECES of each set rendered and
  on the page, the rest neither; the intro says how many of how many."""
  from genre_transformer_gan.data import vocabulary as vocab  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import final_report  # pylint: disable=import-outside-toplevel
  note = [vocab.NOTE_ON_OFFSET + 60, vocab.TIME_SHIFT_OFFSET + 49,
          vocab.NOTE_OFF_OFFSET + 60]
  pieces = [note * (i + 1) for i in range(10)]
  music = type('Music', (), {'name': 'corpus/x'})()
  path = final_report.write_listen_page(
      str(tmp_path), 'folk', [('generated', 'samples', pieces),
                              ('real (test)', 'real', pieces[:9])],
      music, None, None, synth='none', pieces=3)
  page = open(path).read()
  for folder in ('samples', 'real'):
    assert sorted(os.listdir(tmp_path / folder)) == [
        f'folk_{i:02d}.{ext}' for i in range(3) for ext in ('mid', 'npy',
                                                            'png')]
    assert f'src="{folder}/folk_02.png"' in page
    assert f'{folder}/folk_03' not in page
  assert 'the first 3 of 10 pieces of each column' in page
  assert final_report.LISTEN_PIECES == 8


@pytest.mark.slow
def test_train_report_listen_page_plays_in_chromium(tiny_run):
  runs, _, result = tiny_run
  assert result.returncode == 0, result.stderr[-3000:]
  report = runs / 'tiny' / 'adversarial_classical'
  page = report / 'listen.html'
  assert 'listen.html' in result.stdout
  found = _durations(page)
  # 3 samples, 3 of the control, 3 real test crops.
  assert found['players'] == 9 and found['failed'] == 0
  assert len(found['loaded']) == 9 and min(found['loaded']) > 0
  html = page.read_text()
  for folder in ('samples', 'samples_control', 'real'):
    assert f'src="{folder}/classical_02.wav"' in html
    assert (report / folder / 'classical_02.png').exists()
  assert 'control: MLE only' in html and 'real (test)' in html
  assert 'evaluator: <b' in html and 'classifier p(classical)' in html
