"""Musical features, mgeval distances, diversity and the feature evaluator."""

import note_seq
import numpy as np
import pytest
import tensorflow_datasets as tfds

from genre_transformer_gan.data import midi_reference
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import evaluator as evaluator_lib
from genre_transformer_gan.evaluation import features
from genre_transformer_gan.evaluation import metrics
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.evaluation import realism_gate
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.testing import synthetic_midi


def _tokens(notes):
  """Event tokens of [(pitch, start, end, velocity)] (the library path)."""
  ns = note_seq.NoteSequence(ticks_per_quarter=220)
  for pitch, start, end, velocity in notes:
    ns.notes.add(pitch=pitch, start_time=start, end_time=end,
                 velocity=velocity)
  ns.total_time = max(n.end_time for n in ns.notes)
  return midi_reference.note_sequence_to_tokens(ns)


def _groups(tokens):
  vector = features.feature_vector(tokens)
  return {name: vector[part] for name, part in features.group_slices().items()}


def test_features_of_a_c_major_scale():
  scale = [60, 62, 64, 65, 67, 69, 71, 72]
  groups = _groups(_tokens([(p, 0.5 * i, 0.5 * i + 0.5, 80)
                            for i, p in enumerate(scale)]))
  assert len(features.feature_names()) == features.NUM_FEATURES
  np.testing.assert_allclose(groups['pitch_class_histogram'][[0, 2, 4]],
                             [2 / 8, 1 / 8, 1 / 8])
  np.testing.assert_allclose(groups['pitch_statistics'][2:], [60, 72, 12])
  np.testing.assert_allclose(groups['duration_scale_consistency'], [1.0])
  np.testing.assert_allclose(groups['note_density'], [2.0])  # onsets / s
  np.testing.assert_allclose(groups['polyphony'], [1.0, 1.0, 0.0])
  np.testing.assert_allclose(groups['silence'], [0.0], atol=1e-6)
  # Every inter-onset interval is 0.5 s: the [0.5, 1) bin.
  np.testing.assert_allclose(groups['ioi_histogram'],
                             [0, 0, 0, 0, 1, 0, 0])
  assert groups['key_correlation'][0] > 0.7


def _tonality_by_corrcoef(weights):
  """features._tonality as np.corrcoef per key and a sum per scale."""
  if weights.sum() <= 0 or np.ptp(weights) == 0:
    return 0.0, 0.0
  best = max(np.corrcoef(weights, np.roll(profile, shift))[0, 1]
             for profile in (features._MAJOR_PROFILE, features._MINOR_PROFILE)  # pylint: disable=protected-access
             for shift in range(12))
  in_scale = max(weights[np.roll(features._MAJOR_SCALE, shift)].sum()  # pylint: disable=protected-access
                 for shift in range(12)) / weights.sum()
  return best, in_scale


def test_tonality_equals_np_corrcoef_per_key():
  rng = np.random.default_rng(0)
  cases = [rng.gamma(0.5, size=12) for _ in range(200)]
  cases += [np.roll(features._MAJOR_PROFILE, 5),  # pylint: disable=protected-access
            np.eye(12)[3] * 7.0, np.zeros(12), np.ones(12)]
  for weights in cases:
    np.testing.assert_allclose(features._tonality(weights),  # pylint: disable=protected-access
                               _tonality_by_corrcoef(weights), atol=1e-12)
  assert features._tonality(np.roll(features._MAJOR_PROFILE, 5))[0] == (  # pylint: disable=protected-access
      pytest.approx(1.0))


def test_features_of_chords_and_silence():
  chords = [(p, t, t + 1.0, 100) for t in (0.0, 2.0) for p in (60, 64, 67)]
  groups = _groups(_tokens(chords))
  np.testing.assert_allclose(groups['polyphony'], [3.0, 3.0, 2 / 3],
                             atol=1e-6)
  np.testing.assert_allclose(groups['silence'], [1 / 3], atol=1e-6)
  assert groups['used_pitches'].tolist() == [3, 3]


def test_held_time_is_the_time_a_drone_sounds():
  """Two overlapping held notes under 40 short ones: 5 % of the notes, but
  a held note sounds from 1 s to 9 s of the 10 s."""
  short = [(72 + i % 5, 0.25 * i, 0.25 * i + 0.2, 90) for i in range(40)]
  held = [(48, 1.0, 6.0, 90), (43, 4.0, 9.0, 90)]
  notes = notes_lib.notes_of_tokens(_tokens(short + held))
  assert np.mean(notes.duration > features.HELD_SECONDS) == pytest.approx(
      2 / 42)
  assert features.held_time_share(notes) == pytest.approx(8.0 / 10.0,
                                                           abs=0.01)
  assert features.held_time_share(notes_lib.notes_of_tokens(
      _tokens(short))) == 0.0
  share, interval = report.held_time_share([_tokens(short + held),
                                            _tokens(short)])
  assert share == pytest.approx(0.4, abs=0.01)
  assert interval[0] <= share <= interval[1]


def test_the_reference_gives_its_own_held_time():
  """A test report's real row is validation music: the reference crops'
  held time is given beside it (report.Reference.describe)."""
  short = [(72 + i % 5, 0.25 * i, 0.25 * i + 0.2, 90) for i in range(40)]
  held = [(48, 1.0, 6.0, 90), (43, 4.0, 9.0, 90)]
  pieces = {'test': [_tokens(short + held), _tokens(short)],
            'train': [_tokens(short)] * 3}

  class Music:
    splits = ('train', 'test')

    def tokens(self, split, genre):
      assert genre == 'folk'
      return pieces[split]
  # Crops longer than the pieces: each crop is a whole piece, in turn.
  reference = report.reference_for(Music(), 'folk', 10_000, 2, split='test')
  assert reference.held_time_share == pytest.approx(0.4, abs=0.01)
  assert reference.describe().startswith('test (2 crops, held time 0.40')


def test_features_of_real_and_empty_sequences():
  tokens = tokenizer.encode_midi(synthetic_midi.style_midi(2, seed=1))
  vector = features.feature_vector(tokens)
  assert vector.shape == (features.NUM_FEATURES,) and np.isfinite(
      vector).all() and vector.any()
  assert not features.feature_vector(np.zeros([0], np.int32)).any()
  assert features.feature_matrix([]).shape == (0, features.NUM_FEATURES)


def test_mgeval_overlap_and_kl():
  rng = np.random.default_rng(0)
  same = metrics.overlap_and_kl(rng.normal(0, 1, 400), rng.normal(0, 1, 400))
  apart = metrics.overlap_and_kl(rng.normal(0, 1, 400), rng.normal(8, 1, 400))
  assert same[0] > 0.9 and same[1] < 0.05
  assert apart[0] < 0.05 and apart[1] > 5
  real = rng.normal(0, 1, [30, features.NUM_FEATURES])
  like = metrics.feature_distances(real, rng.normal(0, 1, [30, real.shape[1]]))
  unlike = metrics.feature_distances(real,
                                     rng.normal(3, 1, [30, real.shape[1]]))
  assert set(like) == {name for name, _ in features.FEATURE_GROUPS} | {'mean'}
  assert like['mean']['overlap'] > unlike['mean']['overlap'] + 0.3
  assert like['mean']['kl'] < unlike['mean']['kl']


@pytest.mark.parametrize('case', ['normal', 'bimodal', 'spike', 'few',
                                  'skewed', 'integers'])
def test_binned_kde_equals_scipy(case):
  """The binned FFT density matches scipy's gaussian_kde (the oracle)."""
  rng = np.random.default_rng(1)
  samples = {
      'normal': rng.normal(0, 1, 3000),
      'bimodal': np.r_[rng.normal(0, 1, 2000), rng.normal(6, 0.3, 300)],
      'spike': np.r_[np.zeros(1000), [5.0]],
      'few': rng.normal(0, 1, 5),
      'skewed': rng.exponential(1, 10000),
      'integers': rng.integers(0, 4, 2000).astype(float),
  }[case]
  grid = np.linspace(samples.min() - 1, samples.max() + 1, 512)
  exact = metrics.density_exact(samples, grid)
  binned = metrics._density(samples, grid)
  assert np.abs(binned - exact).max() < 1e-3 * exact.max()
  assert np.trapezoid(binned, grid) == pytest.approx(1.0)


def test_distinct_n_and_self_similarity():
  assert metrics.distinct_n([[1, 2, 3, 4]], 2) == 1.0
  assert metrics.distinct_n([[1, 1, 1, 1, 1]], 1) == 0.2
  assert metrics.self_similarity([[1, 2, 3, 4, 5]] * 3, 4) == 1.0
  assert metrics.self_similarity([[1, 2, 3, 4], [5, 6, 7, 8]], 4) == 0.0
  diversity = metrics.diversity([[2, 3, 4, 5, 6], [2, 3, 4, 5, 7]])
  assert diversity['distinct_4'] == pytest.approx(3 / 4)
  assert diversity['self_similarity_4'] == pytest.approx(1 / 3)


def test_read_samples_prefers_token_files(tmp_path):
  """A token file wins over the MIDI file of the same name."""
  tokens = np.array([vocab.NOTE_ON_OFFSET + 60, vocab.TIME_SHIFT_OFFSET + 49,
                     vocab.NOTE_ON_OFFSET + 64, vocab.TIME_SHIFT_OFFSET + 49])
  tokenizer.decode_tokens(tokens, str(tmp_path / 'a.mid'))
  np.save(tmp_path / 'a.npy', tokens)
  tokenizer.decode_tokens(tokens, str(tmp_path / 'b.mid'))
  samples, skipped = report.read_samples(str(tmp_path))
  assert [name for name, _ in samples] == ['a.npy', 'b.mid'] and not skipped
  np.testing.assert_array_equal(samples[0][1], tokens)
  # MIDI closes the open notes at the end: the MIDI reading has note-offs.
  note_offs = lambda t: np.sum((t >= vocab.NOTE_OFF_OFFSET) &
                               (t < vocab.TIME_SHIFT_OFFSET))
  assert note_offs(tokens) == 0 and note_offs(samples[1][1]) == 2


def test_crops():
  pieces = [(np.arange(2, 1002, dtype=np.int32), 0),
            (np.arange(2, 52, dtype=np.int32), 1)]
  crops = real_data.random_crops(pieces, 100, 200, 3, seed=0)
  assert [label for _, label in crops] == [0, 0, 0, 1]
  assert all(100 <= len(t) <= 200 for t, _ in crops[:3])
  assert len(crops[3][0]) == 50
  fixed = real_data.fixed_crops(pieces, 300)
  assert [len(t) for t, _ in fixed] == [300, 300, 300, 50]
  np.testing.assert_array_equal(fixed[1][0], np.arange(302, 602))
  tokens = [t for t, _ in pieces]
  turns, groups = real_data.crops_in_turn(tokens, 100, 5, seed=0)
  assert groups.tolist() == [0, 1, 0, 1, 0]
  assert [len(t) for t in turns] == [100, 50, 100, 50, 100]
  assert all(np.all(np.diff(t) == 1) for t in turns)


def test_real_music_reads_a_split_once(folders_builder, monkeypatch):
  """RealMusic: the builder's pieces of a split, read once, by genre."""
  music = real_data.RealMusic(folders_builder)
  assert music.genres == tuple(folders_builder.info.features['genre'].names)
  assert set(music.splits) == {'train', 'validation', 'test'}
  reads, examples = [], music.examples
  monkeypatch.setattr(music, 'examples',
                      lambda split: reads.append(split) or examples(split))
  every = music.pieces('train', music.genres)
  folk = music.tokens('train', 'folk')
  named = music.named_tokens('train', 'folk')
  first = music.pieces('train', ['folk', 'classical'], max_pieces_per_genre=2)
  assert reads == ['train']
  raw_folk = [ex for ex in tfds.as_numpy(folders_builder.as_dataset(
      split='train')) if ex['genre'] == music.genre_ids(['folk'])[0]]
  oracle = [ex['tokens'] for ex in raw_folk]
  assert [name for name, _ in named] == [
      ex['id'].decode() for ex in raw_folk]
  assert all(np.array_equal(a, b) for (_, a), b in zip(named, folk))
  assert len(folk) == len(oracle) == sum(
      label == music.genres.index('folk') for _, label in every) > 2
  for tokens, raw in zip(folk, oracle):
    assert ((tokens >= vocab.NUM_RESERVED) &
            (tokens < vocab.GENRE_OFFSET)).all()
    np.testing.assert_array_equal(tokens, raw[(raw >= vocab.NUM_RESERVED) &
                                              (raw < vocab.GENRE_OFFSET)])
  assert sorted(label for _, label in first) == [0, 0, 1, 1]
  with pytest.raises(datasets.DatasetError, match='jazz'):
    music.pieces('train', ['jazz'])


def _style_pieces(styles, count, num_notes=60, offset=0):
  token_lists, labels = [], []
  for seed in range(offset, offset + count):
    for label, style in enumerate(styles):
      token_lists.append(tokenizer.encode_midi(synthetic_midi.style_midi(
          style, seed=seed, num_notes=num_notes)))
      labels.append(label)
  return token_lists, np.array(labels)


def test_evaluator_learns_styles_saves_and_checks_genres(tmp_path):
  """Two generated styles are told apart; the saved model predicts the same."""
  token_lists, labels = _style_pieces((0, 3), 30)
  matrix = features.feature_matrix(token_lists)
  for kind in evaluator_lib.MODELS:
    evaluator = evaluator_lib.FeatureEvaluator(('a', 'b'), kind).fit(
        matrix[:40], labels[:40])
    probabilities = evaluator.predict_proba(token_lists[40:])
    assert probabilities.shape == (20, 3)  # a, b, not_music
    judged = evaluator.verdicts(token_lists[40:])['judged']
    assert np.mean(judged == labels[40:]) >= 0.9
  evaluator.save(str(tmp_path), {'note': 'test'})
  loaded = evaluator_lib.FeatureEvaluator.load(str(tmp_path), ['b'])
  np.testing.assert_array_equal(loaded.predict_proba(token_lists[40:]),
                                probabilities)
  with pytest.raises(ValueError, match='does not know jazz'):
    evaluator_lib.FeatureEvaluator.load(str(tmp_path), ['jazz'])
  with pytest.raises(FileNotFoundError, match='--train_evaluator'):
    evaluator_lib.FeatureEvaluator.load(str(tmp_path / 'missing'))


def test_evaluator_rejects_negatives_and_outliers(tmp_path, monkeypatch):
  """not_music catches the negatives; the gate catches unseen non-music;
  saved and loaded (gbt, gate rebuilt from arrays), it judges the same."""
  train, labels = _style_pieces((0, 3), 30)
  held_out, held_labels = _style_pieces((0, 3), 10, offset=100)
  pieces = list(zip(train, labels))
  fakes = evaluator_lib.training_negatives(pieces, 60, 64, 256, seed=1)
  real = features.feature_matrix(train)
  evaluator = evaluator_lib.FeatureEvaluator(('a', 'b')).fit(
      np.concatenate([real, features.feature_matrix(fakes)]),
      np.concatenate([labels, np.full(len(fakes), 2)]))
  evaluator.gate = realism_gate.RealismGate(real, labels, 2, neighbours=3)
  evaluator.gate.calibrate(features.feature_matrix(held_out), held_labels,
                           quantile=1.0)
  noise = evaluator_lib.training_negatives(pieces, 40, 64, 256, seed=2)
  judged = evaluator.verdicts(noise)
  assert np.all(judged['judged'] == evaluator_lib.REJECTED)
  assert judged['not_music'].mean() >= 0.9
  # One note repeated: no negative looks like it, the gate still refuses.
  repeated = np.tile([vocab.NOTE_ON_OFFSET + 60, vocab.TIME_SHIFT_OFFSET + 9,
                      vocab.NOTE_OFF_OFFSET + 60], 60)
  judged = evaluator.verdicts([repeated])
  assert judged['judged'][0] == evaluator_lib.REJECTED
  assert judged['gate'][0] or judged['not_music'][0]
  # Real music of the styles passes the gate it was calibrated on.
  judged = evaluator.verdicts(held_out)['judged']
  assert np.mean(judged == held_labels) >= 0.9
  evaluator.save(str(tmp_path), {})
  loaded = evaluator_lib.FeatureEvaluator.load(str(tmp_path), ['a'])
  everything = held_out + noise + [repeated]
  for key, value in evaluator.verdicts(everything).items():
    np.testing.assert_array_equal(loaded.verdicts(everything)[key], value)
  np.testing.assert_array_equal(
      loaded.gate.distances(features.feature_matrix(everything)),
      evaluator.gate.distances(features.feature_matrix(everything)))
  # Saved before a feature was renamed (same values): still loads.
  old_names = {new: old for old, new in features.RENAMED.items()}
  names = [old_names.get(name, name) for name in features.feature_names()]
  assert names != features.feature_names()
  with monkeypatch.context() as patch:
    patch.setattr(features, 'feature_names', lambda: names)
    evaluator.save(str(tmp_path / 'renamed'), {})
  renamed = evaluator_lib.FeatureEvaluator.load(str(tmp_path / 'renamed'))
  np.testing.assert_array_equal(renamed.verdicts(everything)['judged'],
                                evaluator.verdicts(everything)['judged'])


def test_an_outdated_evaluator_is_replaced(tmp_path, monkeypatch):
  """load_or_train retrains over an evaluator of an older format, and an
  older version's pickle is never opened."""
  (tmp_path / 'evaluator.joblib').write_bytes(b'not opened')
  with pytest.raises(evaluator_lib.OutdatedEvaluatorError,
                     match='a pickle, is never loaded'):
    evaluator_lib.FeatureEvaluator.load(str(tmp_path))
  trained = []
  monkeypatch.setattr(evaluator_lib, 'train_evaluator',
                      lambda *args, **kwargs: trained.append(1) or {})
  real_load = evaluator_lib.FeatureEvaluator.load
  # The real load refuses the old file; after training, a stand-in loads.
  monkeypatch.setattr(evaluator_lib.FeatureEvaluator, 'load', classmethod(
      lambda cls, directory, genres=(): 'loaded' if trained else
      real_load(directory, genres)))
  music = type('Music', (), {'name': 'd/1.0', 'genres': ('a',)})
  lines = []
  evaluator, _ = evaluator_lib.load_or_train(None, music, str(tmp_path),
                                             log=lines.append)
  assert evaluator == 'loaded' and trained == [1]
  assert 'older version' in lines[0]


class _RunsCode:
  """A pickle payload: unpickling it would create the marker file."""

  def __init__(self, marker):
    self.marker = marker

  def __reduce__(self):
    return (open, (self.marker, 'w'))


def test_a_crafted_evaluator_file_runs_nothing(tmp_path):
  """Files someone hands you: a pickle under the old name, a skops file
  holding an untrusted object, garbage: refused, nothing executed."""
  import pickle  # pylint: disable=import-outside-toplevel
  import skops.io  # pylint: disable=import-outside-toplevel
  marker = tmp_path / 'ran'
  old = tmp_path / 'old'
  old.mkdir()
  (old / 'evaluator.joblib').write_bytes(pickle.dumps(_RunsCode(str(marker))))
  with pytest.raises(evaluator_lib.OutdatedEvaluatorError):
    evaluator_lib.FeatureEvaluator.load(str(old))
  crafted = tmp_path / 'crafted'
  crafted.mkdir()
  (crafted / evaluator_lib.MODEL_FILE).write_bytes(skops.io.dumps(
      {'format': evaluator_lib.FORMAT, 'model': _RunsCode(str(marker))}))
  with pytest.raises(ValueError, match='does not trust'):
    evaluator_lib.FeatureEvaluator.load(str(crafted))
  (crafted / evaluator_lib.MODEL_FILE).write_bytes(b'PK\x03\x04 garbage')
  with pytest.raises(ValueError, match='not a readable evaluator'):
    evaluator_lib.FeatureEvaluator.load(str(crafted))
  assert not marker.exists()
