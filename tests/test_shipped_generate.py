"""Music from the generator shipped in the package: no run, no dataset."""

import json
import os
import wave

import numpy as np
import pytest

import genre_transformer_gan
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.generation import api
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.models import pretrained
from tests import console


def _quiet(*_):
  pass


@pytest.fixture(scope='module')
def shipped():
  return generate_lib.load_shipped('small')


def test_first_seconds_cuts_on_the_shift_that_reaches_them():
  half = vocab.TIME_SHIFT_OFFSET + 49  # 50 steps: 0.5 s
  note = vocab.NOTE_ON_OFFSET + 60
  tokens = np.array([note, half, note, half, note, half, note])
  assert list(example_lib.first_seconds(tokens, 1.0)) == list(tokens[:4])
  assert list(example_lib.first_seconds(tokens, 0.7)) == list(tokens[:4])
  assert list(example_lib.first_seconds(tokens, 9.0)) == list(tokens)
  assert example_lib.duration_seconds(
      example_lib.first_seconds(tokens, 1.0)) == 1.0


def test_the_shipped_generator_loads_without_a_run(shipped):
  assert pretrained.shipped() == ['small']
  assert shipped.checkpoint.model_dir is None
  assert shipped.checkpoint.stage == 'pretrained'
  assert shipped.vocabulary.genres == ('classical', 'folk', 'early')
  card = pretrained.read_card('small')
  assert shipped.model.count_params() == card['parameters']


def test_api_generates_seconds_of_music_and_repeats_with_its_seed(tmp_path):
  pieces = genre_transformer_gan.generate(genre='folk', seconds=3,
                                          num_samples=2, seed=1, log=_quiet)
  assert len(pieces) == 2
  for piece in pieces:
    assert 3.0 <= piece.total_time < 4.5 and len(piece.notes) > 3
  again = genre_transformer_gan.generate(genre='folk', seconds=3,
                                         num_samples=2, seed=1, log=_quiet)
  assert again == pieces
  # Written files hold the same music as the returned pieces.
  written = api.generate(genre='folk', seconds=3, num_samples=2, seed=1,
                         output_dir=str(tmp_path), synth='none', log=_quiet)
  assert written == pieces
  with open(tmp_path / 'index.json') as f:
    index = json.load(f)
  assert index['model']['stage'] == 'pretrained'
  assert index['settings']['seconds'] == 3


def test_api_continues_a_primer_of_its_first_seconds(tmp_path):
  primer = str(tmp_path / 'primer.mid')
  tokenizer.decode_tokens(  # 32 quarter-second D4s: 8 s
      np.tile([vocab.NOTE_ON_OFFSET + 62, vocab.TIME_SHIFT_OFFSET + 24,
               vocab.NOTE_OFF_OFFSET + 62], 32), primer)
  pieces = api.generate(genre='classical', seconds=2, primer=primer,
                        primer_seconds=1.5, log=_quiet)
  assert 3.5 <= pieces[0].total_time < 4.5  # 1.5 s of primer + 2 s
  assert [n.pitch for n in pieces[0].notes[:6]] == [62] * 6


@pytest.mark.parametrize('kwargs, message', [
    ({'model': 'huge'}, "model='huge' is neither a shipped generator "
                        '(small) nor a folder'),
    ({'genre': 'jazz'}, 'the model knows: classical, folk, early'),
    ({'seconds': 0}, '--seconds must be > 0'),
])
def test_api_refuses_bad_arguments_in_one_line(kwargs, message):
  with pytest.raises(ValueError, match=message.replace('(', r'\(').replace(
      ')', r'\)')):
    api.generate(**dict({'genre': 'folk', 'seconds': 1, 'log': _quiet},
                        **kwargs))


@pytest.mark.slow
def test_generate_command_uses_the_shipped_model(tmp_path):
  output = str(tmp_path / 'early')
  result = console.run_script('genre_gan_generate', '--model=small',
                              '--genre=early', '--seconds=5',
                              '--guidance=drs:4', '--num_samples=2',
                              f'--output_dir={output}')
  assert result.returncode == 0, result.stderr[-3000:]
  assert 'pretrained, config small' in result.stdout
  # `small` draws every genre unguided; asked to, the discriminator shipped
  # with the generator (learned from its samples) steers it.
  assert 'Guidance ranks with' in result.stdout
  assert 'small_classifier_generated.npz' in result.stdout
  for i in range(2):
    with wave.open(os.path.join(output, f'early_{i:02d}.wav')) as audio:
      assert audio.getnframes() / audio.getframerate() >= 5.0
  both = console.run_script('genre_gan_generate', '--model=small',
                            '--model_dir=runs/x', '--genre=folk')
  assert both.returncode == 1
  assert 'one of --model=small' in both.stderr.strip().splitlines()[-1]
