"""The frozen classifiers shipped in the package: cards, fit, loading."""

import dataclasses
import json
import os

import numpy as np
import pytest

from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.data import pipeline
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.models import pretrained
from genre_transformer_gan.models import shipped_classifier
from genre_transformer_gan import run_layout
from genre_transformer_gan.training import adversaries
from genre_transformer_gan.training import classifier as classifier_lib

GENRES = ('classical', 'folk', 'early')  # small's vocabulary order.
TINY = configs.get_config('tiny')


def _classifier(config=TINY, genres=GENRES):
  return genre_classifier.GenreClassifier.from_classifier_config(
      config.classifier, vocab.Vocabulary(genres).size, genres,
      vocabulary_genres=genres)


def _tokens(seed=0):
  return np.random.default_rng(seed).integers(
      vocab.NUM_RESERVED, vocab.GENRE_OFFSET, [4, 64]).astype(np.int32)


def test_export_then_materialize_gives_the_float16_weights(tmp_path):
  """A shipped classifier comes back frozen, as a saved classifier that
  fits the vocabulary, scoring as its weights rounded to float16."""
  classifier = _classifier()
  card = shipped_classifier.export(
      classifier, TINY, shipped_classifier.GENRES_ONLY,
      {'dataset': 'corpus_genre/small/1.3.0', 'steps': 7}, directory=tmp_path)
  assert card['kind'] == 'classifier' and card['weights_dtype'] == 'float16'
  chosen, note = shipped_classifier.choose(
      TINY, GENRES, shipped_classifier.GENRES_ONLY, 'auto',
      directory=tmp_path)
  assert chosen == card and note == ''
  path = shipped_classifier.materialize(card, TINY, str(tmp_path / 'run'),
                                        directory=tmp_path)
  loaded = classifier_io.load_classifier(path, GENRES, ['folk'])
  assert not loaded.trainable_variables
  assert classifier_io.read_info(path)['shipped']['sha256'] == card['sha256']
  classifier.set_weights([w.astype(np.float16).astype(np.float32)
                          for w in classifier.get_weights()])
  np.testing.assert_allclose(loaded(_tokens()), classifier(_tokens()),
                             atol=1e-5)
  # Generator listings skip classifier cards.
  assert pretrained.shipped(str(tmp_path)) == []


def test_a_misfit_is_named_in_one_line(tmp_path):
  shipped_classifier.export(_classifier(), TINY,
                            shipped_classifier.GENRES_ONLY, {},
                            directory=tmp_path)
  other_order = ('classical', 'early', 'folk')
  card, note = shipped_classifier.choose(
      TINY, other_order, shipped_classifier.GENRES_ONLY, 'auto',
      directory=tmp_path)
  assert card is None and '\n' not in note
  assert 'vocabulary_genres' in note and note.endswith('training one.')
  with pytest.raises(ValueError, match='pass --classifier=train'):
    shipped_classifier.choose(TINY, other_order,
                              shipped_classifier.GENRES_ONLY, 'shipped',
                              directory=tmp_path)
  # Another config's architecture; none shipped for it; train; a typo.
  small = configs.get_config('small')
  with pytest.raises(ValueError, match="No 'small' genre classifier ships"):
    shipped_classifier.choose(small, GENRES, shipped_classifier.GENRES_ONLY,
                              'shipped', directory=tmp_path)
  assert shipped_classifier.choose(
      TINY, GENRES, shipped_classifier.GENRES_ONLY, 'train',
      directory=tmp_path) == (None, '')
  with pytest.raises(ValueError, match='--classifier=bogus is unknown'):
    shipped_classifier.choose(TINY, GENRES, shipped_classifier.GENRES_ONLY,
                              'bogus', directory=tmp_path)


def test_tampered_weights_are_refused(tmp_path):
  card = shipped_classifier.export(_classifier(), TINY,
                                   shipped_classifier.GENRES_ONLY, {},
                                   directory=tmp_path)
  weights, _ = pretrained.paths('tiny_classifier', str(tmp_path))
  data = bytearray(open(weights, 'rb').read())
  data[-100] ^= 0xFF
  open(weights, 'wb').write(bytes(data))
  with pytest.raises(ValueError, match='sha256.*--classifier=train'):
    shipped_classifier.materialize(card, TINY, str(tmp_path / 'run'),
                                   directory=tmp_path)
  assert not classifier_io.exists(str(tmp_path / 'run'))


def test_a_run_uses_the_shipped_pair_only_where_both_fit(
    tmp_path, monkeypatch):
  """The genre classifier stands in whenever it fits; the K+1 one only for
  a run that started from the shipped generator with that classifier.
  Filling the folders from them trains nothing."""
  monkeypatch.setattr(pretrained, 'DIRECTORY', str(tmp_path / 'shipped'))
  config = configs.get_config('tiny')
  config = dataclasses.replace(config, adversarial=dataclasses.replace(
      config.adversarial, generated_class=True))
  generator_card = {'step': 40, 'sha256': 'g' * 64}
  os.makedirs(tmp_path / 'shipped')
  for suffix, content in (('.npz', b''), ('.json', json.dumps(
      generator_card))):
    with open(tmp_path / 'shipped' / f'tiny{suffix}', 'w' +
              ('b' if suffix == '.npz' else '')) as f:
      f.write(content)
  base = shipped_classifier.export(_classifier(config), config,
                                   shipped_classifier.GENRES_ONLY, {
                                       'dataset': 'd', 'steps': 3})
  wider = genre_classifier.GenreClassifier.from_classifier_config(
      config.classifier, vocab.Vocabulary(GENRES).size,
      GENRES + ('generated',), vocabulary_genres=GENRES)
  shipped_classifier.export(wider, config, shipped_classifier.WITH_GENERATED,
                            {}, base_sha256=base['sha256'],
                            generator_sha256='g' * 64)
  vocabulary = vocab.Vocabulary(GENRES)
  model_dir = str(tmp_path / 'runs' / 'tiny')
  classifier_path = str(tmp_path / 'runs' / 'classifier' / 'd_tiny')
  notes = []
  cards = adversaries.shipped_discriminators(
      config, vocabulary, model_dir, classifier_path, 40, log=notes.append)
  assert [c['fits']['which'] for c in cards] == [
      'classifier', 'classifier_generated'] and not notes
  # From scratch (start step 0): the K+1 one does not fit, said once.
  genre_card, generated_card = adversaries.shipped_discriminators(
      config, vocabulary, model_dir, classifier_path, 0, log=notes.append)
  assert genre_card and generated_card is None
  assert len(notes) == 1 and 'generator_sha256' in notes[0]
  # A run that needs no K+1 one (run_lib.uses_generated_class) gets the
  # genre classifier alone, and no note.
  genre_card, generated_card = adversaries.shipped_discriminators(
      config, vocabulary, model_dir, classifier_path, 40, generated=False,
      log=notes.append)
  assert genre_card and generated_card is None and len(notes) == 1
  assert adversaries.shipped_discriminators(
      config, vocabulary, model_dir, classifier_path, 40,
      'train') == (None, None)

  def refuse(*args, **kwargs):
    raise AssertionError('a fitting shipped classifier is not trained again')
  monkeypatch.setattr(classifier_lib, 'train_classifier', refuse)
  lines = []
  path = adversaries.get_classifier_path(
      config, None, model_dir, classifier_path, shipped=cards[0],
      log=lines.append)
  assert shipped_classifier.shipped_sha256(path) == base['sha256']
  generated = adversaries.get_generated_classifier_path(
      config, None, vocabulary, model_dir, path, shipped=cards[1],
      log=lines.append)
  assert generated == run_layout.generated_classifier_dir(model_dir)
  assert classifier_io.load_classifier(generated, GENRES).genres[-1] == (
      'generated')
  assert 'the shipped one' in lines[0] and 'the shipped one' in lines[1]
  # Filled: nothing more to choose.
  assert adversaries.shipped_discriminators(
      config, vocabulary, model_dir, path, 40) == (None, None)


def test_the_package_ships_small_s_pair_and_it_fits_small():
  """The shipped cards match today's `small` config (a change to its
  classifier, sampling or K+1 settings must ship new ones:
  bin/ship_discriminator.sh), the K+1 one grew from the shipped genre
  classifier on the shipped generator's samples, and both load frozen."""
  small = configs.get_config('small')
  generator = pretrained.read_card('small')
  base = shipped_classifier.read_card('small', shipped_classifier.GENRES_ONLY)
  wider = shipped_classifier.read_card('small',
                                       shipped_classifier.WITH_GENERATED)
  assert base and wider, 'run bin/ship_discriminator.sh'
  assert shipped_classifier.choose(
      small, GENRES, shipped_classifier.GENRES_ONLY, 'shipped')[0] == base
  assert shipped_classifier.choose(
      small, GENRES, shipped_classifier.WITH_GENERATED, 'shipped',
      base['sha256'], generator['sha256'])[0] == wider
  assert shipped_classifier.for_shipped_generator(small, GENRES) == (wider, '')
  # Trained on the embedded dataset, the music the generator's card reports.
  assert base['dataset'] == generator['reference_nll']['dataset']
  for card in (base, wider):
    assert card['command'].startswith('genre_classifier_train')
    assert card['weights_bytes'] < 4e6
  classifier = genre_classifier.GenreClassifier.from_classifier_config(
      small.classifier, vocab.Vocabulary(GENRES).size,
      GENRES + ('generated',), vocabulary_genres=GENRES)
  pretrained.load_weights(classifier, 'small_classifier_generated')
  assert not np.isnan(classifier(_tokens()).numpy()).any()


@pytest.mark.slow
def test_the_shipped_classifier_scores_its_cards_numbers(
    corpus_small_builder, tmp_path):
  """On corpus_genre/small's validation split, the shipped genre classifier
  scores its card's accuracy by crop length, and the K+1 one calls real
  music 'generated' as often as its card says, within 2 points."""
  small = configs.get_config('small')
  builder = corpus_small_builder
  genre_ids = datasets.genre_ids(builder, list(GENRES))
  base = shipped_classifier.read_card('small', shipped_classifier.GENRES_ONLY)
  path = shipped_classifier.materialize(base, small, str(tmp_path / 'base'))
  classifier = classifier_io.load_classifier(path, GENRES)
  lengths = sorted(int(n) for n in base['validation'])
  measured = classifier_lib.accuracy_by_length(
      classifier, builder, 'validation', genre_ids, lengths)
  for length in lengths:
    assert abs(measured[length]['accuracy'] -
               base['validation'][str(length)]['accuracy']) <= 0.02, length
  wider_card = shipped_classifier.read_card(
      'small', shipped_classifier.WITH_GENERATED)
  wider = classifier_io.load_classifier(shipped_classifier.materialize(
      wider_card, small, str(tmp_path / 'wider')), GENRES)
  for length, expected in wider_card['generated_class'][
      'by_crop_length'].items():
    crops = pipeline.classifier_eval_dataset(
        builder.as_dataset(split='validation'), genre_ids, int(length), 64,
        max_crops_per_piece=classifier_lib.MAX_CROPS_PER_PIECE)
    _, probabilities = classifier_lib.predict(wider, crops)
    called = float(np.mean(probabilities.argmax(-1) == len(GENRES)))
    assert abs(called - expected['real_called_generated']) <= 0.02, length


def test_shipping_the_same_weights_again_keeps_how_they_were_trained(
    folders_builder, tmp_path):
  """genre_classifier_train --export_only re-ships a trained classifier
  (e.g. to re-grow the K+1 one): its card keeps the training command."""
  vocabulary = datasets.get_vocabulary(folders_builder)
  path = str(tmp_path / 'classifier')
  classifier_lib.train_classifier(TINY, folders_builder, vocabulary.genres,
                                  path, steps=2)
  directory = str(tmp_path / 'shipped')
  first, = adversaries.export_shipped(
      TINY, folders_builder, path, generated=False,
      info={'command': 'train it', 'seconds_training': 5},
      directory=directory, log=lambda line: None)
  again, = adversaries.export_shipped(
      TINY, folders_builder, path, generated=False,
      info={'command': 'ship it again'}, directory=directory,
      log=lambda line: None)
  assert again['sha256'] == first['sha256']
  assert (again['command'], again['seconds_training'],
          again['shipped_again_by']) == ('train it', 5, 'ship it again')
  written = shipped_classifier.read_card(
      'tiny', shipped_classifier.GENRES_ONLY, directory)
  assert (written['command'], written['shipped_again_by']) == (
      'train it', 'ship it again')


def test_generate_uses_the_shipped_discriminator_only_with_its_generator(
    tmp_path):
  """genre_gan_generate --model steers by the shipped K+1 discriminator
  only beside the generator whose samples it learned; else one line why."""
  small = configs.get_config('small')
  directory = str(tmp_path)
  assert shipped_classifier.for_shipped_generator(small, GENRES, directory) \
      == (None, "no 'small' discriminator ships")
  for name in ('small', 'small_classifier', 'small_classifier_generated'):
    for path in pretrained.paths(name):
      with open(path, 'rb') as source, open(
          os.path.join(directory, os.path.basename(path)), 'wb') as copy:
        copy.write(source.read())
  card, why_not = shipped_classifier.for_shipped_generator(small, GENRES,
                                                           directory)
  assert card and not why_not
  generator_card = os.path.join(directory, 'small.json')
  with open(generator_card) as f:
    other = dict(json.load(f), sha256='0' * 64)
  with open(generator_card, 'w') as f:
    json.dump(other, f)
  card, why_not = shipped_classifier.for_shipped_generator(small, GENRES,
                                                           directory)
  assert card is None and 'generator_sha256' in why_not, why_not
  assert why_not.endswith('drawing unguided.') and '\n' not in why_not
