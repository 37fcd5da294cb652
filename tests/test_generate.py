"""genre_gan_generate: MIDI, WAV, piano roll, index, genre transfer, errors."""

import dataclasses
import json
import os
import re

import matplotlib.image
import note_seq
import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan import datasets
from genre_transformer_gan.evaluation import real_data
from genre_transformer_gan.generation import audio
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.testing import synthetic_midi
from genre_transformer_gan.models import generator_io
from genre_transformer_gan.training import run_lib
from tests import console



def _synth():
  """FluidSynth where it is installed (.ci/run installs it), else the
  midirenderer wheel."""
  if audio.fluidsynth_status()[0]:
    return 'fluidsynth'
  print(f'{audio.fluidsynth_status()[1]}: the WAV checks use midirenderer.')
  return 'soundfont'


@pytest.fixture(scope='module')
def model_root(folders_builder, tmp_path_factory):
  """runs/ with a tiny generator trained briefly on generated music."""
  root = str(tmp_path_factory.mktemp('runs'))
  config = configs.get_config('tiny')
  builder = folders_builder
  vocabulary = datasets.get_vocabulary(builder)
  model_dir = os.path.join(root, 'tiny')
  run_lib.check_model_dir(model_dir, 'tiny', vocabulary.genres)
  run_lib.run_mle(config, builder, vocabulary, model_dir, 30,
                  tf.distribute.get_strategy(), eval_batches=1)
  return root


@pytest.fixture(scope='module')
def run_root(tiny_run):
  """runs/ of conftest's genre_gan_train run: a tiny generator, evaluator
  and classifier on the embedded dataset (read only)."""
  return str(tiny_run[0])


def _midi_sequence(path):
  sequence = note_seq.midi_file_to_note_sequence(path)
  assert len(sequence.notes) > 0, path
  return sequence


def _check_files(directory, stem):
  """The files of one piece: MIDI with notes, its tokens, WAV, PNG."""
  sequence = _midi_sequence(os.path.join(directory, stem + '.mid'))
  tokens = np.load(os.path.join(directory, stem + '.npy'))
  assert tokens.dtype == np.int32 and len(tokens) > 0
  waveform, rate = audio.read_wav(os.path.join(directory, stem + '.wav'))
  assert np.sqrt(np.mean(waveform ** 2)) > 1e-3, 'silent WAV'
  seconds = len(waveform) / rate
  assert abs(seconds - sequence.total_time) <= 0.1 * sequence.total_time, (
      seconds, sequence.total_time)
  image = matplotlib.image.imread(os.path.join(directory, stem + '.png'))
  assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
  rgb = image[..., :3]
  assert rgb.std() > 0.05  # Not one flat colour.
  # Note patches (viridis) are neither white nor grey.
  saturation = rgb.max(-1) - rgb.min(-1)
  assert np.mean(saturation > 0.2) > 0.001
  return sequence


@pytest.mark.slow
def test_generate_writes_midi_wav_png_and_index(run_root, tmp_path):
  output = str(tmp_path / 'folk')
  result = console.run_script(
      'genre_gan_generate', f'--model_dir={run_root}/tiny', '--genre=folk',
      '--num_samples=3', '--batch_size=2', '--length=300', '--top_p=0.95',
      '--seed=0', f'--synth={_synth()}', f'--output_dir={output}')
  assert result.returncode == 0, result.stderr[-3000:]
  assert '3/3 samples' in result.stdout and 'tokens/s' in result.stdout
  for i in range(3):
    _check_files(output, f'folk_{i:02d}')
  with open(os.path.join(output, 'index.json')) as f:
    index = json.load(f)
  assert index['settings']['genre'] == 'folk'
  assert index['settings']['length'] == 300
  assert index['settings']['ngram_cache'] is None  # tiny: classical's only
  assert index['model']['stage'] == 'mle' and index['model']['config'] == (
      'tiny')
  assert index['judges']['evaluator'] and index['judges']['classifier']
  assert [s['name'] for s in index['samples']] == ['folk_00', 'folk_01',
                                                   'folk_02']
  for entry in index['samples']:
    assert entry['tokens'] == 300 and entry['notes'] > 0
    judged = entry['genre_probabilities']
    assert set(judged['classifier']) == {'classical', 'folk', 'early'}
    assert set(judged['evaluator']) == {'classical', 'folk', 'early',
                                        'not_music'}
    for judge in ('evaluator', 'classifier'):
      assert sum(judged[judge].values()) == pytest.approx(1.0, abs=1e-3)
    assert judged['evaluator_verdict'] in ('classical', 'folk', 'early',
                                           'rejected')
  with open(os.path.join(output, 'index.md')) as f:
    page = f.read()
  assert '| folk_02 |' in page and 'evaluator p(folk)' in page
  assert 'evaluator verdict' in page and 'rejected' in page
  assert 'evaluator: ' in result.stdout and ' rejected' in result.stdout
  assert '[folk_00.wav](folk_00.wav)' in page


@pytest.mark.slow
def test_genre_transfer_writes_primer_and_continuation(
    run_root, corpus_small_builder, tmp_path):
  tokens = real_data.RealMusic(corpus_small_builder).tokens('test', 'folk')[0]
  primer_path = str(tmp_path / 'folk_tune.mid')
  tokenizer.decode_tokens(tokens, primer_path)
  output = str(tmp_path / 'transfer')
  result = console.run_script(
      'genre_gan_generate', f'--model_dir={run_root}/tiny',
      '--genre=classical', f'--primer={primer_path}', '--primer_tokens=48',
      '--num_samples=2', '--length=200', f'--synth={_synth()}',
      f'--output_dir={output}')
  assert result.returncode == 0, result.stderr[-3000:]
  primer_sequence = _check_files(os.path.join(output, 'primer'), 'primer')
  primer_tokens = tokenizer.encode_midi(primer_path)[:48]
  with open(os.path.join(output, 'index.json')) as f:
    index = json.load(f)
  assert index['primer']['tokens'] == 48
  # Drawn with the n-gram cache genre_gan_train fitted to this stage.
  with open(os.path.join(run_root, 'tiny', 'adversarial_classical',
                         'ngram_cache.json')) as f:
    fitted = json.load(f)
  assert index['settings']['ngram_cache'] == {
      'cache_weights': fitted['weights'], 'cache_fade': fitted['fade']}
  assert set(index['primer']['genre_probabilities']) == {
      'evaluator', 'evaluator_verdict', 'classifier'}
  for i in range(2):
    sequence = _check_files(output, f'classical_{i:02d}')
    # The piece starts with the primer, then the model's continuation.
    assert len(sequence.notes) > len(primer_sequence.notes)
    piece_tokens = tokenizer.encode_midi(os.path.join(
        output, f'classical_{i:02d}.mid'))
    onsets = lambda toks: [t for t in toks if 2 <= t < 130]  # NOTE_ONs
    assert onsets(piece_tokens)[:len(onsets(primer_tokens))] == onsets(
        primer_tokens)
    entry = index['samples'][i]
    assert entry['tokens'] == 48 + 200
    assert 'classical' in entry['genre_probabilities']['evaluator']


def test_same_seed_same_samples(model_root):
  generator = generate_lib.load(os.path.join(model_root, 'tiny'), 'early')
  settings = generate_lib.GenerateSettings(
      genre='early', num_samples=3, length=80, batch_size=2, seed=5)
  first = generate_lib.sample(generator, settings, log=lambda _: None)
  again = generate_lib.sample(generator, settings, log=lambda _: None)
  other = generate_lib.sample(
      generator, generate_lib.GenerateSettings(
          genre='early', num_samples=3, length=80, batch_size=2, seed=6),
      log=lambda _: None)
  assert first.shape == (3, 80)
  np.testing.assert_array_equal(first, again)
  assert not np.array_equal(first, other)
  assert not np.array_equal(first[0], first[2])  # Batches differ.


def test_max_note_seconds_caps_what_is_written(model_root, tmp_path):
  """--max_note_seconds: the same draws, each note ended at the cap, in the
  tokens, the MIDI and the index's settings."""
  generator = generate_lib.load(os.path.join(model_root, 'tiny'), 'folk')
  settings = generate_lib.GenerateSettings(
      genre='folk', num_samples=2, length=200, batch_size=2, seed=3,
      synth='none')
  plain = generate_lib.pieces(generator, settings, log=lambda _: None)
  capped_settings = dataclasses.replace(settings, max_note_seconds=0.2)
  index = generate_lib.generate_files(
      generator, str(tmp_path / 'out'), capped_settings, log=lambda _: None)
  assert index['settings']['max_note_seconds'] == 0.2
  longest = []
  for tokens, entry in zip(plain, index['samples']):
    capped = np.load(tmp_path / 'out' / entry['tokens_file'])
    np.testing.assert_array_equal(
        capped, notes_lib.cap_note_durations(tokens, 20))
    longest.append(notes_lib.notes_of_tokens(tokens).duration.max())
    midi = _midi_sequence(str(tmp_path / 'out' / entry['midi']))
    assert max(n.end_time - n.start_time for n in midi.notes) <= 0.2 + 1e-6
  assert max(longest) > 0.2  # The cap had notes to end.
  with pytest.raises(ValueError, match='--max_note_seconds must be >= 0'):
    dataclasses.replace(settings, max_note_seconds=-1.0).check()
  # Unset, the model's config's cap applies (SamplingConfig.max_note_seconds);
  # 0 turns it off.
  config = dataclasses.replace(generator.config, sampling=dataclasses.replace(
      generator.config.sampling, max_note_seconds=0.2))
  configured = dataclasses.replace(generator, config=config)
  for value, expected in ((None, 0.2), (0.0, None), (0.5, 0.5)):
    assert generate_lib.decoding(dataclasses.replace(
        settings, max_note_seconds=value), config).max_note_seconds == (
            expected)
  by_config = generate_lib.pieces(configured, settings, log=lambda _: None)
  for tokens, capped in zip(plain, by_config):
    np.testing.assert_array_equal(
        capped, notes_lib.cap_note_durations(tokens, 20))
  with pytest.raises(ValueError, match='max_note_seconds must be > 0'):
    dataclasses.replace(config.sampling, max_note_seconds=0.0)
  # With a primer, each piece begins with the primer as written (capped
  # too), and the judges read what follows it.
  primer_path = tmp_path / 'primer.mid'
  primer_path.write_bytes(synthetic_midi.style_midi(2, 0, num_notes=60))
  judged = []
  judge = lambda sets: judged.extend(sets) or [{} for _ in sets]  # noqa: E731
  index = generate_lib.generate_files(
      generator, str(tmp_path / 'primed'), dataclasses.replace(
          capped_settings, primer=str(primer_path), length=40), judge=judge,
      log=lambda _: None)
  primer = np.load(tmp_path / 'primed' / 'primer' /
                   index['primer']['tokens_file'])
  fed = generate_lib.primer_of(generator, dataclasses.replace(
      capped_settings, primer=str(primer_path), length=40))
  assert len(primer) > len(fed)  # The cap ended some of the primer's notes.
  for entry, continuation in zip(index['samples'], judged):
    piece = np.load(tmp_path / 'primed' / entry['tokens_file'])
    np.testing.assert_array_equal(piece[:len(primer)], primer)
    np.testing.assert_array_equal(piece[len(primer):], continuation)
  np.testing.assert_array_equal(judged[-1], primer)


def test_without_fluidsynth_renders_with_the_soundfont_wheel(
    model_root, tmp_path, monkeypatch):
  """A fresh machine without libfluidsynth: WAVs all the same (midirenderer),
  and one line saying so when FluidSynth was asked for."""
  monkeypatch.setattr(audio, 'fluidsynth_status',
                      lambda: (False, 'FluidSynth is not available (test)'))
  generator = generate_lib.load(os.path.join(model_root, 'tiny'), 'folk')
  for synth, expected_lines in (('auto', 0), ('fluidsynth', 1)):
    messages = []
    output = tmp_path / synth
    index = generate_lib.generate_files(
        generator, str(output), generate_lib.GenerateSettings(
            genre='folk', num_samples=2, length=60, synth=synth),
        log=messages.append)
    assert sum('FluidSynth is not available' in m for m in messages) == (
        expected_lines)
    assert index['settings']['synth'] == 'soundfont'
    assert sorted(os.listdir(output)) == [
        f'folk_0{i}.{ext}' for i in range(2)
        for ext in ('mid', 'npy', 'png', 'wav')] + [
            'index.html', 'index.json', 'index.md']
    for entry in index['samples']:
      _check_files(str(output), entry['name'])


def test_soundfont_renderer_plays_the_music():
  """midirenderer with the General MIDI soundfont: as long as the MIDI, not
  silent, louder where notes sound than in a rest, and its spectrum peaks
  at the played pitch."""
  sequence = note_seq.NoteSequence()
  for start, pitch in ((0.0, 69), (0.5, 69), (2.0, 57)):  # A4, A4, rest, A3
    sequence.notes.add(pitch=pitch, velocity=90, start_time=start,
                       end_time=start + 0.45, program=0)
  sequence.total_time = 2.45
  rate = 22050
  waveform = audio.synthesize(sequence, 'soundfont', rate)
  assert waveform.dtype == np.float32
  # The music, then a release tail of at most 5 % of it (audio.py).
  assert 2.45 <= len(waveform) / rate <= 2.45 * 1.05 + 0.01
  loud = np.sqrt(np.mean(waveform[int(0.05 * rate):int(0.4 * rate)] ** 2))
  rest = np.sqrt(np.mean(waveform[int(1.6 * rate):int(1.95 * rate)] ** 2))
  assert loud > 0.05 and rest < loud / 10
  note = waveform[int(0.05 * rate):int(0.45 * rate)]
  spectrum = np.abs(np.fft.rfft(note * np.hanning(len(note))))
  peak_hz = np.argmax(spectrum) * rate / len(note)
  assert any(abs(peak_hz - 440 * k) < 15 for k in (1, 2, 3)), peak_hz


@pytest.mark.parametrize('synth, notes', [
    ('sine', [(60, 80, 0.5, 0.5), (64, 0, 0.0, 1.0)]),
    ('soundfont', [(64, 0, 0.0, 1.0)])])
def test_a_silent_sample_renders_as_silence(synth, notes, tmp_path):
  """A note of velocity 0 (and, for the sine synth, a zero-length note):
  silent audio of the sample's length, not NaNs (full-scale clicks in the
  WAV)."""
  sequence = note_seq.NoteSequence()
  for pitch, velocity, start, end in notes:
    sequence.notes.add(pitch=pitch, velocity=velocity, start_time=start,
                       end_time=end)
  sequence.total_time = 1.0
  waveform = audio.synthesize(sequence, synth, 8000)
  assert len(waveform) >= 8000 and not np.any(waveform)
  audio.write_wav(tmp_path / 'silent.wav', waveform, 8000)
  assert not np.any(audio.read_wav(tmp_path / 'silent.wav')[0])


def test_a_long_draw_shows_its_progress(model_root, monkeypatch):
  """Past the training length the sampler slides window by window; each
  window reports the tokens added, and genre_gan_generate logs them with a
  rate and an ETA (here every window: PROGRESS_SECONDS 0)."""
  generator = generate_lib.load(os.path.join(model_root, 'tiny'), 'folk')
  calls = []
  prompts = np.full([2, 1], generator.vocabulary.genre_token('folk'))
  sampling.Sampler(generator.model).generate(
      prompts, 150, on_window=lambda added, total: calls.append(
          (added, total)))
  assert len(calls) >= 3 and calls[-1] == (150, 150)
  assert [a for a, _ in calls] == sorted(a for a, _ in calls)
  monkeypatch.setattr(generate_lib, 'PROGRESS_SECONDS', 0)
  lines = []
  generate_lib.sample(generator, generate_lib.GenerateSettings(
      genre='folk', num_samples=2, length=150), log=lines.append)
  progress = [line for line in lines if 'tokens of this batch' in line]
  assert len(progress) >= 2, lines
  assert all('/150 tokens' in line and 'ETA' in line for line in progress)


def test_adversarial_stage_is_picked_for_its_genre(model_root, tmp_path):
  model_dir = os.path.join(model_root, 'tiny')
  mle_model, _, _ = generator_io.load_generator(model_dir)
  # An adversarial checkpoint as AdversarialTrainer writes it (key
  # `generator`), with different weights.
  tuned = [w + 1.0 for w in mle_model.get_weights()]
  mle_model.set_weights(tuned)
  tf.train.Checkpoint(generator=mle_model).save(
      os.path.join(model_dir, 'adversarial_classical', 'checkpoints', 'ckpt'))
  try:
    picked = generate_lib.load(model_dir, 'classical')
    assert picked.checkpoint.stage == 'adversarial_classical'
    for a, b in zip(picked.model.get_weights(), tuned):
      np.testing.assert_array_equal(a, b)
    assert generate_lib.load(model_dir, 'folk').checkpoint.stage == 'mle'
  finally:
    tf.io.gfile.rmtree(os.path.join(model_dir, 'adversarial_classical'))


@pytest.mark.parametrize('changes, message', [
    ({'genre': 'jazz'}, 'knows: classical, early, folk'),
    ({'top_p': 0.0}, '--top_p must be in (0, 1]'),
    ({'synth': 'midi'}, '--synth=midi is unknown'),
    ({'primer': '/nonexistent.mid'}, 'does not exist'),
    ({'primer': 'noise.mid'}, 'is not a readable MIDI file (Midi decoding'),
    ({'soundfont': '/nonexistent.sf2'}, '--soundfont=/nonexistent.sf2 does '
     'not exist; pass a .sf2 file'),
    ({'soundfont': 'empty.sf2'}, 'is not a SoundFont 2 file (empty)'),
    ({'soundfont': 'noise.sf2'}, 'is not a SoundFont 2 file (no RIFF sfbk'),
    ({'soundfont': 'half.sf2'}, 'is cut short ('),
    ({'output_dir': '/proc/version/out'}, 'pass a writable --output_dir'),
])
def test_bad_settings_are_refused_before_sampling(model_root, tmp_path,
                                                  changes, message):
  """What genre_gan_generate's flags become, checked in-process (the command
  itself: test_cli_errors.py)."""
  output_dir = changes.pop('output_dir', str(tmp_path / 'out'))
  genre = changes.pop('genre', 'folk')
  for flag in ('soundfont', 'primer'):  # Bad files, made here.
    name = changes.get(flag, '/')
    if not name.startswith('/'):
      whole = open(audio.DEFAULT_SOUNDFONT, 'rb').read()
      (tmp_path / name).write_bytes({
          'empty.sf2': b'', 'noise.sf2': bytes(range(256)) * 40,
          'noise.mid': bytes(range(256)),
          'half.sf2': whole[:len(whole) // 2]}[name])
      changes[flag] = str(tmp_path / name)
  with pytest.raises((ValueError, FileNotFoundError, PermissionError),
                     match=re.escape(message)):
    generator = generate_lib.load(os.path.join(model_root, 'tiny'), genre)
    generate_lib.generate_files(
        generator, output_dir,
        generate_lib.GenerateSettings(genre=genre, num_samples=1, length=20,
                                      **changes), log=lambda _: None)
  assert not os.path.exists(os.path.join(output_dir, 'index.json'))


def test_unset_decoding_settings_come_from_the_run_config():
  small = configs.get_config('small')
  # Chosen on validation: folk's, early's and the other genres' own.
  for genre, temperature, top_p in (('folk', 1.15, 0.95), ('early', 1.0, 0.98),
                                    ('jazz', 0.85, 0.95)):
    unset = generate_lib.GenerateSettings(genre=genre)
    resolved = generate_lib.decoding(unset, small)
    assert (resolved.temperature, resolved.top_k, resolved.top_p,
            resolved.max_note_seconds) == (
                temperature, small.sampling.top_k, top_p,
                small.sampling.max_note_seconds)
  assert small.sampling.top_p != 1.0
  given = generate_lib.GenerateSettings(genre='early', temperature=1.0,
                                        top_k=5, top_p=1.0,
                                        max_note_seconds=3.0)
  assert generate_lib.decoding(given, small) == given
