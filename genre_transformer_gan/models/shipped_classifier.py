"""The frozen discriminator shipped inside the package, and its cards.

Beside the pretrained generator (models/pretrained.py) the package ships
the adversary `genre_gan_train` would otherwise train first, in two files
of float16 weights, each with a card (`pretrained/<name>.json`):

  <config>_classifier            the genre classifier (K genres), trained on
                                 real music (training/classifier.py);
  <config>_classifier_generated  it with the class 'generated' (K+1),
                                 learned from samples of the shipped <config>
                                 generator (training/generated_class.py).

`bin/ship_discriminator.sh` makes both (`genre_classifier_train
--generated_class --export_pretrained=...`). A card's `fits` says what a run
must share with it: the config's classifier architecture, the vocabulary
(genre tokens and layout) and, for the K+1 one, the shipped generator and
the classifier it grew from (by sha256) and how its samples were made.

`genre_gan_train --classifier=auto` (the default) writes a fitting shipped
model into the run's classifier folder instead of training one, and says in
one line why one does not fit (then trains, as `--classifier=train` always
does); `--classifier=shipped` refuses a misfit with that line. `directory`
arguments default to pretrained.DIRECTORY, read at call time.
"""

import dataclasses
from typing import Optional, Sequence, Tuple

from genre_transformer_gan import choices
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.models import classifier_io
from genre_transformer_gan.models import genre_classifier
from genre_transformer_gan.models import pretrained

SOURCES = choices.CLASSIFIER_SOURCES
GENRES_ONLY = 'classifier'
WITH_GENERATED = 'classifier_generated'
KIND = 'classifier'  # The cards' 'kind' (pretrained.shipped skips them).
# The classifier settings its weights depend on (not its training's).
ARCHITECTURE = ('embedding_size', 'filters', 'kernel_size', 'dilations',
                'dropout')
FIX = 'pass --classifier=train'
# What a card keeps when the same weights are shipped again.
TRAINING_RECORD = ('command', 'seconds_training')


def name(config_name: str, which: str) -> str:
  """'small', 'classifier' -> 'small_classifier' (pretrained.paths' name)."""
  return f'{config_name}_{which}'


def fingerprint(config, vocabulary_genres: Sequence[str], which: str,
                base_sha256: Optional[str] = None,
                generator_sha256: Optional[str] = None) -> dict:
  """What a shipped classifier must share with a run to stand in for the
  one the run would train. For WITH_GENERATED: the sha256 of the genre
  classifier it grew from and of the generator whose samples it learned
  (None when the run uses other ones)."""
  settings = dataclasses.asdict(config.classifier)
  fits = {'config': config.name, 'which': which,
          'classifier': {key: list(settings[key]) if key == 'dilations'
                         else settings[key] for key in ARCHITECTURE},
          'vocabulary_genres': list(vocabulary_genres),
          'vocabulary': classifier_io.vocabulary_layout()}
  if which == WITH_GENERATED:
    adversarial, sampling = config.adversarial, config.sampling
    fits.update(base_sha256=base_sha256, generator_sha256=generator_sha256,
                samples={'count': adversarial.generated_samples,
                         'steps': adversarial.generated_steps,
                         'length': config.classifier.max_crop_len,
                         'temperature': sampling.temperature,
                         'top_k': sampling.top_k, 'top_p': sampling.top_p})
  return fits


def read_card(config_name: str, which: str,
              directory: Optional[str] = None) -> Optional[dict]:
  """The card of the shipped classifier, or None if none ships."""
  return pretrained.read_card(name(config_name, which),
                              directory or pretrained.DIRECTORY)


def choose(config, vocabulary_genres: Sequence[str], which: str,
           source: str = 'auto', base_sha256: Optional[str] = None,
           generator_sha256: Optional[str] = None,
           directory: Optional[str] = None,
           otherwise: str = 'training one') -> Tuple[Optional[dict], str]:
  """(the card to use or None, a line saying why not, ending in
  `otherwise`, or '').

  Raises:
    ValueError: an unknown source; source 'shipped' and none ships or it
      does not fit (one line naming what differs and the flag).
  """
  if source not in SOURCES:
    raise ValueError(f'--classifier={source} is unknown; choose one of: '
                     f'{", ".join(SOURCES)}.')
  if source == 'train':
    return None, ''
  what = ('genre classifier' if which == GENRES_ONLY else
          'discriminator with the class "generated"')
  card = read_card(config.name, which, directory)
  return pretrained.decide(
      card, card and pretrained.differences(card, fingerprint(
          config, vocabulary_genres, which, base_sha256, generator_sha256)),
      source == 'shipped', f'{config.name!r} {what}', FIX, otherwise)


def export(classifier, config, which: str, info: dict,
           base_sha256: Optional[str] = None,
           generator_sha256: Optional[str] = None,
           directory: Optional[str] = None) -> dict:
  """Writes a trained classifier's float16 weights and card; returns it.
  The same weights shipped again (genre_classifier_train --export_only)
  keep the card's record of how they were trained."""
  fits = fingerprint(config, classifier.vocabulary_genres, which,
                     base_sha256, generator_sha256)
  return pretrained.write_weights(
      classifier, name(config.name, which),
      dict(info, kind=KIND, fits=fits, genres=list(classifier.genres)),
      directory or pretrained.DIRECTORY, keep_record=TRAINING_RECORD)


def load(card: dict, config, freeze: bool = True,
         directory: Optional[str] = None):
  """The shipped classifier of `card`, built from `config`'s classifier
  settings (the card fits them: `choose`); frozen unless asked.

  Raises:
    ValueError: the weights fail their sha256 check.
  """
  fits = card['fits']
  classifier = genre_classifier.GenreClassifier.from_classifier_config(
      config.classifier, vocab.Vocabulary(fits['vocabulary_genres']).size,
      card['genres'], vocabulary_genres=fits['vocabulary_genres'])
  pretrained.load_weights(classifier, name(fits['config'], fits['which']),
                          directory or pretrained.DIRECTORY, fix=FIX)
  return genre_classifier.freeze(classifier) if freeze else classifier


def materialize(card: dict, config, output_dir: str,
                directory: Optional[str] = None) -> str:
  """Writes the shipped classifier of `card` into output_dir as a saved
  classifier (classifier_io), so every command finds it where it finds a
  trained one; its classifier.json carries the card. Returns output_dir.

  Raises:
    ValueError: the weights fail their sha256 check.
  """
  classifier = load(card, config, freeze=False, directory=directory)
  classifier_io.save_classifier(
      classifier, output_dir,
      {key: card[key] for key in ('dataset', 'steps', 'seed', 'validation',
                                  'test', 'generated_class') if key in card}
      | {'config': card['fits']['config'], 'shipped': card})
  return output_dir


def for_shipped_generator(config, vocabulary_genres: Sequence[str],
                          directory: Optional[str] = None
                          ) -> Tuple[Optional[dict], str]:
  """(the K+1 card, '') when it was learned from the shipped generator of
  config.name and the shipped genre classifier, else (None, why not)."""
  directory = directory or pretrained.DIRECTORY
  generator = pretrained.read_card(config.name, directory)
  base = read_card(config.name, GENRES_ONLY, directory)
  card, why_not = choose(
      config, vocabulary_genres, WITH_GENERATED, 'auto',
      base and base['sha256'], generator and generator['sha256'],
      directory, otherwise='drawing unguided')
  return card, why_not or (
      '' if card else f'no {config.name!r} discriminator ships')


def shipped_sha256(path: str) -> Optional[str]:
  """The sha256 of the shipped weights a saved classifier came from (None:
  trained here)."""
  return (classifier_io.read_info(path).get('shipped') or {}).get('sha256')
