"""bench/bench_gan.py and bench/gan_arms.py: each arm changes one setting; B
is the paired control."""

import argparse
import dataclasses
import json
import os
import sys

import pytest

from genre_transformer_gan import configs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'bench'))
import bench_gan  # pylint: disable=g-import-not-at-top,wrong-import-position
import gan_arms  # pylint: disable=g-import-not-at-top,wrong-import-position
import gan_rows  # pylint: disable=g-import-not-at-top,wrong-import-position

ARGS = argparse.Namespace(realism_weight=0.5, realism_loss='rsgan',
                          hard_final_temperature=0.1)


@pytest.mark.parametrize('arm, expected', [
    ('C', dict(realism_weight=0.0, feedback='soft')),
    ('D', dict(realism_weight=0.5, realism_loss='rsgan', feedback='soft')),
    ('D_wgan_gp', dict(realism_weight=0.5, realism_loss='wgan_gp')),
    ('E', dict(realism_weight=0.0, feedback='hard', final_temperature=0.1)),
    ('E100', dict(feedback='hard', final_temperature=0.01)),
    ('E1000', dict(feedback='hard', final_temperature=0.001)),
    ('E0', dict(feedback='hard', final_temperature=0.1, genre_weight=0.0)),
    ('BE', dict(feedback='hard', learning_rate=1e-3, mle_batch_size=6)),
    ('K', dict(feedback='hard', final_temperature=0.1,
               generated_class=True)),
    ('BK', dict(feedback='straight_through', temperature_schedule='constant',
                initial_temperature=1.0, sample_len=63,
                rollout_gradient='parallel', generated_class=True)),
    ('BKP', dict(feedback='straight_through', primer_len=16, sample_len=47,
                 other_genre_primers=0.5, generated_class=True)),
])
def test_arm_settings(arm, expected):
  # MLE batch 6: BE's MLE term takes it instead of the stage's 4.
  config = dataclasses.replace(configs.get_config('tiny'), batch_size=6)
  settings = gan_arms.adversarial_settings(config, arm, ARGS,
                                            learning_rate=1e-3).adversarial
  for key, value in expected.items():
    assert getattr(settings, key) == pytest.approx(value), key
  # Everything else stays the config's.
  for key in ('genre_weight', 'mle_weight', 'kl_weight', 'learning_rate',
              'mle_batch_size', 'generated_class', 'primer_len',
              'other_genre_primers'):
    if key not in expected:
      assert getattr(settings, key) == getattr(config.adversarial, key)
  assert arm in gan_arms.ARM_NAMES


def test_arms_without_a_temperature_are_named_where_the_base_one_differs():
  sampling = configs.get_config('small').sampling
  notes = gan_arms.base_temperature_notes(['B', 'B@1.15', 'Ba+drs:4'],
                                          ['folk', 'classical'], sampling)
  assert len(notes) == 4  # B and Ba+drs:4, on folk and on classical
  assert notes[0].startswith('B on folk: decoded at the base T 0.85')
  assert '(B@1.15 is)' in notes[0]
  assert '(Ba@1.15+drs:4 is)' in notes[2]
  assert not gan_arms.base_temperature_notes(['B'], ['other'], sampling)


def test_arm_bn_is_b_without_augmentation_and_nothing_else():
  small = configs.get_config('small')
  bn = gan_arms.mle_config(small, 'Bn')
  assert bn.train.augmentation() == configs.AUGMENTATIONS['none']
  assert small.train.augmentation() == configs.AUGMENTATIONS['transpose']
  assert dataclasses.replace(bn, train=small.train) == small
  assert gan_arms.mle_config(small, 'B') is small


@pytest.mark.parametrize('genre', ['folk', 'classical', 'early'])
def test_arm_b_is_the_genre_stage_and_ba_keeps_the_transposition(genre):
  """B (the control) continues as genre_gan_train's genre stage does;
  Ba transposes as the config does for genres without their own entry."""
  small, tiny = configs.get_config('small'), configs.get_config('tiny')
  assert gan_arms.mle_config(small, 'B', genre) == small.for_genre(genre)
  assert gan_arms.mle_config(small, 'Ba', genre) is small
  assert small.for_genre(genre) != small
  assert gan_arms.mle_config(tiny, 'B', genre) == tiny.for_genre(genre)
  bk = gan_arms.adversarial_settings(small, 'BK', ARGS, genre=genre)
  assert bk.train == small.for_genre(genre).train
  assert 'Ba' in gan_arms.MLE_ARMS and 'Ba' in gan_arms.ARM_NAMES


@pytest.mark.parametrize('arm,balance', [('Bt', 1.0), ('Bh', 0.5)])
def test_arms_bt_and_bh_are_b_drawing_pieces_by_length(arm, balance):
  small = configs.get_config('small')
  config = gan_arms.mle_config(small, arm)
  assert config.train.length_balance == balance
  assert small.train.length_balance == 0.0
  assert dataclasses.replace(config, train=small.train) == small
  assert arm in gan_arms.MLE_ARMS and arm in gan_arms.ARM_NAMES


@pytest.mark.parametrize('arm,balance', [('Bnt', 1.0), ('Bnh', 0.5)])
def test_arms_bnt_and_bnh_are_bn_drawing_pieces_by_length(arm, balance):
  small = configs.get_config('small')
  config = gan_arms.mle_config(small, arm)
  bn = gan_arms.mle_config(small, 'Bn')
  assert config.train.length_balance == balance
  assert config.train.augmentation() == configs.AUGMENTATIONS['none']
  assert dataclasses.replace(config, train=bn.train) == bn
  assert arm in gan_arms.MLE_ARMS and arm in gan_arms.ARM_NAMES


def test_arm_bnk_is_bk_without_augmentation():
  small = configs.get_config('small')
  bnk = gan_arms.adversarial_settings(small, 'BnK', ARGS)
  bk = gan_arms.adversarial_settings(small, 'BK', ARGS)
  assert bnk.adversarial == bk.adversarial
  assert bnk.train.augmentation() == configs.AUGMENTATIONS['none']
  assert bk.train == small.train


def test_small_genre_stages_are_arm_bn_its_gan_stage_bk_earlier_arms_theirs():
  """small's folk, classical and early genre stages are arm B and Bn (MLE
  on the genre, crops not transposed), not Ba; its GAN stage is what arm BK
  measured; E and K keep the stage they were measured with (64-token
  rollouts, full gradient, annealed tau)."""
  small = configs.get_config('small')
  assert small.stage_for('folk') == small.stage_for('classical') == 'mle'
  for genre in ('folk', 'classical', 'early'):
    assert small.for_genre(genre) == gan_arms.mle_config(small, 'Bn')
    assert small.for_genre(genre) == gan_arms.mle_config(small, 'Bn', genre)
    assert small.for_genre(genre) != gan_arms.mle_config(small, 'Ba', genre)
  bk = gan_arms.adversarial_settings(small, 'BK', ARGS).adversarial
  for key in ('sample_len', 'rollout_gradient', 'feedback',
              'temperature_schedule', 'initial_temperature', 'kl_weight',
              'learning_rate', 'batch_size', 'mle_batch_size',
              'realism_weight', 'generated_class', 'genre_weight'):
    assert getattr(bk, key) == getattr(small.adversarial, key), key
  for arm in ('E', 'K'):
    earlier = gan_arms.adversarial_settings(small, arm, ARGS).adversarial
    assert (earlier.sample_len, earlier.rollout_gradient,
            earlier.temperature_schedule, earlier.feedback) == (
                64, 'full', 'exp', 'hard'), arm


def _row(arm, seed, fidelity):
  row = {key: 0.5 for key in gan_rows.MEASURES}
  return dict(row, arm=arm, genre='folk', seed=seed, fidelity=fidelity)


def test_summary_pairs_each_arm_with_the_control_by_seed():
  rows = [_row('B', 0, 0.5), _row('B', 1, 0.7),
          _row('E100', 0, 0.6), _row('E100', 1, 0.9)]
  summary = {e['arm']: e for e in gan_rows.summarize(
      rows, ['B', 'E100'], ['folk'])}
  assert summary['E100']['fidelity'] == pytest.approx(0.75)
  assert summary['E100']['fidelity_vs_control'] == pytest.approx(0.15)
  assert 'fidelity_vs_control' not in summary['B']
  assert summary['E100']['seeds'] == 2
  against_e100 = {e['arm']: e for e in gan_rows.summarize(
      rows, ['B', 'E100'], ['folk'], control='E100')}
  assert against_e100['B']['fidelity_vs_control'] == pytest.approx(-0.15)


def test_the_printed_summary_gives_each_difference_its_interval():
  rows = [_row('B', 0, 0.5), _row('B', 1, 0.7), _row('B', 2, 0.6),
          _row('K', 0, 0.6), _row('K', 1, 0.9), _row('K', 2, 0.7)]
  entry = gan_rows.summarize(rows, ['B', 'K'], ['folk'])[1]
  cells = gan_rows.summary_cells(entry)
  low, high = entry['fidelity_vs_control_interval']
  assert low <= 0.133 <= high
  assert cells['fidelity_vs_control'] == f'0.133 [{low:.3f}, {high:.3f}]'
  assert cells['fidelity'].startswith('0.733 [')
  control = gan_rows.summary_cells(gan_rows.summarize(rows, ['B'],
                                                      ['folk'])[0])
  assert control['fidelity_vs_control'] == '–'


def test_rows_read_back_keep_the_last_judgement_and_the_guide(tmp_path):
  path = tmp_path / 'rows.jsonl'
  rows = [_row('B', 0, 0.5), _row('B', 0, 0.6),
          dict(_row('S+rerank:4', 0, 0.1), guide='arm'),
          dict(_row('S+rerank:4', 0, 0.4), guide='generated')]
  path.write_text(''.join(json.dumps(r) + '\n' for r in rows))
  read = {r['arm']: r for r in gan_rows.read_rows(path, 'generated')}
  assert read['B']['fidelity'] == 0.6
  assert read['S+rerank:4']['fidelity'] == 0.4


def test_auc_of_the_adversary_checks():
  import bench_adversary_checks  # pylint: disable=import-outside-toplevel
  auc = bench_adversary_checks.auc
  assert auc([0.9, 0.8], [0.1, 0.2]) == 1.0
  assert auc([0.1], [0.9]) == 0.0
  assert auc([0.5, 0.5], [0.5]) == 0.5
  assert auc([0.9, 0.1], [0.5]) == 0.5
  assert auc([], [0.5]) is None


def test_summarize_names_arms_without_rows_for_the_guide(tmp_path,
                                                         monkeypatch, capsys):
  rows = [_row('B', 0, 0.5), dict(_row('B+drs:4', 0, 0.6), guide='generated')]
  (tmp_path / 'rows.jsonl').write_text(
      ''.join(json.dumps(r) + '\n' for r in rows))
  argv = ['bench_gan.py', '--summarize', '--work_dir', str(tmp_path),
          '--genres', 'folk', '--arms', 'B,B+drs:4']
  monkeypatch.setattr(sys, 'argv', argv)
  bench_gan.main()
  assert ('No validation rows of B+drs:4 for --guide=arm'
          in capsys.readouterr().out)
  monkeypatch.setattr(sys, 'argv', argv + ['--guide', 'generated'])
  bench_gan.main()
  out = capsys.readouterr().out
  assert '| B+drs:4 | folk | 1 | 0.600 [' in out and 'No validation' not in out


@pytest.mark.parametrize('arm, expected', [
    ('B', ('B', '', '', '', '')),
    ('B@1.0', ('B', '1.0', '', '', '')),
    ('B@1.0~4', ('B', '1.0', '4', '', '')),
    ('B~4+drs:4', ('B', '', '4', 'drs:4', '')),
    ('BnK@1.15~5+rerank:2', ('BnK', '1.15', '5', 'rerank:2', '')),
    ('Bn@1.0~5^fit', ('Bn', '1.0', '5', '', 'fit')),
    ('B^0.5+drs:4', ('B', '', '', 'drs:4', '0.5')),
    ('Bn@1.0~5^0.5:0.7', ('Bn', '1.0', '5', '', '0.5:0.7')),
    ('B@1.0/1.0~5', ('B', '1.0/1.0', '5', '', '')),
])
def test_an_arm_names_its_decoding(arm, expected):
  """`<arm>[@T][~S][^cache][+guidance]`: temperature, note cap, guidance,
  n-gram cache."""
  assert gan_arms.decoding(arm) == expected


def test_a_temperature_may_bring_its_top_p():
  assert gan_arms.temperature_top_p('1.0/0.98') == (1.0, 0.98)
  assert gan_arms.temperature_top_p('1.15') == (1.15, None)
  assert gan_arms.temperature_top_p('') == (None, None)


@pytest.mark.parametrize('arm', ['B@1.0/0', 'B@1.0/1.5', 'B@1.0/all',
                                 'B@0/0.9', 'B@hot'])
def test_a_bad_decoding_is_one_line_before_any_work(monkeypatch, arm):
  monkeypatch.setattr(sys, 'argv', ['bench_gan.py', '--arms', arm,
                                    '--data_dir', '/nonexistent'])
  with pytest.raises(SystemExit, match=r'T > 0 and a top-p P in \(0, 1\]'):
    bench_gan.main()


@pytest.mark.parametrize('arm', ['Bn^0', 'Bn^half', 'Bn^0.5:0', 'Bn^fit:1.5'])
def test_a_bad_cache_suffix_is_one_line_before_any_work(monkeypatch, arm):
  monkeypatch.setattr(sys, 'argv', ['bench_gan.py', '--arms', arm,
                                    '--data_dir', '/nonexistent'])
  with pytest.raises(SystemExit, match=r'the cache after \^ must be fit'):
    bench_gan.main()


def test_arm_bf_needs_its_training_data_before_any_work(monkeypatch):
  """Bf trains B's steps on --train_dataset: without it, one line, before a
  dataset is built or a model trained."""
  monkeypatch.setattr(sys, 'argv', ['bench_gan.py', '--arms', 'B,Bf@1.0~5',
                                    '--data_dir', '/nonexistent'])
  with pytest.raises(SystemExit, match='Bf needs --train_dataset'):
    bench_gan.main()
  assert 'Bf' in gan_arms.MLE_ARMS and gan_arms.mle_config(
      configs.get_config('small'), 'Bf') == configs.get_config('small')


def test_an_arms_report_folder_names_its_decoding():
  assert gan_arms.decoded_dir('m/seed0_classical_B/report', 'B') == (
      'm/seed0_classical_B/report')
  assert gan_arms.decoded_dir('m/seed0_classical_B/report', 'B@1.0~5') == (
      'm/seed0_classical_B/report_1.0_cap5')
  assert gan_arms.decoded_dir('r/report_test', 'B~4+drs:4') == (
      'r/report_test_cap4_drs:4')
  assert gan_arms.decoded_dir('r/report', 'Bn@1.0~5^fit') == (
      'r/report_1.0_cap5_cache_fit')
  assert gan_arms.decoded_dir('r/report', 'B@1.0/1.0~5') == (
      'r/report_1.0_p1.0_cap5')


def test_the_pooled_reference_reads_each_piece_once_and_leaves_out(
    monkeypatch, tmp_path):
  import bench_pooled_reference  # pylint: disable=import-outside-toplevel
  splits = {('small', 'validation'): [('bach/1', [1]), ('haydn/2', [2])],
            ('full', 'validation'): [('bach/1', [9]), ('bach/3', [3]),
                                     ('bach/4', [4])],
            ('small', 'train'): [('bach/4', [4])]}

  class Music:  # real_data.RealMusic of a builder named after its dataset
    def __init__(self, name):
      self.name = name

    def named_tokens(self, split, genre):
      assert genre == 'classical'
      return splits[self.name, split]
  monkeypatch.setattr(bench_pooled_reference.datasets, 'get_builder',
                      lambda name, data_dir, build: name.split('/')[1])
  monkeypatch.setattr(bench_pooled_reference.real_data, 'RealMusic', Music)
  assert bench_pooled_reference.pooled_reference(
      'd/small:validation,d/full:validation', 'd/small:train', 'classical',
      None) == [('bach/1', [1]), ('bach/3', [3]), ('haydn/2', [2])]
  with pytest.raises(SystemExit, match='run bench_gan.py with --arms Bf@1'):
    bench_pooled_reference.saved_samples(str(tmp_path), 0, 'classical',
                                         'Bf@1.0~5')


def _rows_by_set(script, flags, monkeypatch, capsys) -> dict:
  """{row's set: row} of a bench script's `--json` line, run with flags."""
  monkeypatch.setattr(sys, 'argv', [script.__name__ + '.py', *flags,
                                    '--json'])
  script.main()
  return {row['set']: row for row in json.loads(
      capsys.readouterr().out.strip().splitlines()[-1])['rows']}


def test_copying_reads_samples_that_quote_the_train_split(monkeypatch,
                                                          capsys):
  import bench_copying  # pylint: disable=import-outside-toplevel
  from tests import melodies  # pylint: disable=import-outside-toplevel
  melody = lambda seed: melodies.tokens(*melodies.random_melody(seed, 80))
  pieces = {'d/full:train': {'a': melody(0), 'b': melody(1)},
            'd/small:test': {'c': melody(2)}}
  monkeypatch.setattr(bench_copying.bench_pooled_reference, 'split_pieces',
                      lambda spec, genre, data_dir: pieces[spec])
  monkeypatch.setattr(  # Q quotes the train pieces; N is new music.
      bench_copying.bench_pooled_reference, 'saved_samples',
      lambda work_dir, seed, genre, arm: (
          [melody(seed % 2)[:120]] if arm == 'Q' else [melody(10 + seed)]))
  rows = _rows_by_set(bench_copying, [
      '--arms', 'Q,N', '--seeds', '0,1', '--train', 'd/full:train',
      '--held_out', 'd/small:test'], monkeypatch, capsys)
  assert rows['Q']['copied_percent'] == 100.0
  assert rows['Q']['sequences'] == 2 and rows['Q']['longest_copy_max'] == 40
  assert rows['N']['copied_percent'] == 0.0
  assert rows['real: d/small:test']['copied_percent'] == 0.0


def test_note_lengths_measure_samples_and_each_real_split(monkeypatch,
                                                          capsys):
  import bench_note_lengths  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.data import vocabulary as vocab  # pylint: disable=import-outside-toplevel

  def note(pitch, seconds):  # one note of `seconds`, then 0.5 s of rest
    shifts = [vocab.TIME_SHIFT_OFFSET + 99] * int(seconds) + (
        [vocab.TIME_SHIFT_OFFSET + int(seconds % 1 * 100) - 1]
        if seconds % 1 else [])
    return ([vocab.NOTE_ON_OFFSET + pitch] + shifts +
            [vocab.NOTE_OFF_OFFSET + pitch, vocab.TIME_SHIFT_OFFSET + 49])
  short = sum((note(60 + i, 0.5) for i in range(8)), [])
  held = note(48, 5) + short  # one of 9 notes held, for 5 s of 13.5
  splits = {'validation': [short, short], 'test': [held, short]}

  class Music:
    def __init__(self, builder):
      assert builder == 'small'

    def tokens(self, split, genre):
      assert genre == 'classical'
      return splits[split]
  monkeypatch.setattr(bench_note_lengths.datasets, 'get_builder',
                      lambda name, data_dir, build: name.split('/')[1])
  monkeypatch.setattr(bench_note_lengths.real_data, 'RealMusic', Music)
  monkeypatch.setattr(
      bench_note_lengths.bench_pooled_reference, 'saved_samples',
      lambda work_dir, seed, genre, arm, split: (
          [held] if arm == 'H' and split == 'test' else [short]))
  rows = _rows_by_set(bench_note_lengths, [
      '--arms', 'H,S', '--seeds', '0,1', '--split', 'test', '--real',
      'd/small:validation,test'], monkeypatch, capsys)
  assert rows['H']['sequences'] == 2
  assert rows['H']['held_note_share'] == pytest.approx(1 / 9)
  assert rows['H']['held_time_share'] == pytest.approx(5 / 13.5)
  assert rows['H']['longer_than_1s'] == pytest.approx(1 / 9)
  assert rows['S']['held_time_share'] == 0.0
  assert rows['S']['longer_than_1s'] == 0.0
  assert rows['real (validation, 2 pieces)']['held_note_share'] == 0.0
  test = rows['real (test, 2 pieces)']
  assert test['held_note_share'] == pytest.approx(1 / 17)
  assert 0 < test['held_time_share'] < 0.5
