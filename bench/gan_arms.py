r"""The arms of bench_gan.py: what each trains and how its samples are decoded.

Every arm starts from the same MLE generator (`--start pretrained`: the one
shipped for the config; `--start N`: N MLE steps from scratch per seed) and
takes the same number of further steps, --extra_steps, per target genre:

  S  the start itself (0 extra steps);
  A  MLE continued on all genres;
  B  MLE continued on the target genre only, as genre_gan_train's genre
     stage runs it (config.for_genre: the genre's own augmentation): the
     control. It separates "the classifier's gradient helped" from "more
     MLE on the genre helped". Every arm's MLE crops (and its GAN stage's
     MLE term) are the genre stage's unless its name says otherwise;
  Ba B with the config's augmentation for every genre (its
     genre_augmentations ignored): for `small`, crops transposed by +-3,
     which is what B measured until 2026-12-05;
  B2 B at twice the steps;
  Bn B without augmentation (for a genre stage that transposes);
  Bt B drawing every token alike (TrainConfig.length_balance 1.0: a long
     piece as often as its crops, not as often as a short one); Bh the same
     at length_balance 0.5; Bnt and Bnh are Bt and Bh without augmentation;
  Bf B on --train_dataset's music of the genre (judged, like every arm, on
     --dataset's held-out music): `corpus_genre/full` has three times
     `small`'s classical pieces, and keeps `small`'s held-out ones out of
     its train split;
  C  genre loss + target-genre MLE regulariser (+ the config's KL), soft
     rollout feedback, no critic;
  D  C + the critic's realism term (--realism_loss, RSGAN by default);
  E  C with `hard` rollout feedback (RelGAN: the sampled token is fed back)
     and final temperature --hard_final_temperature (1 / beta_max): the
     GAN stage of `small` since it was chosen on validation music;
  E0 E with genre_weight 0: the same optimizer, batch, KL and MLE terms
     without the adversary (isolates the adversary's gradient);
  BE B, then E at B's learning rate (the MLE schedule's at B's last step)
     and B's batch for the MLE term (isolates E's optimizer settings);
  K  E against the K+1 adversary: the classifier with a 'generated' class
     learned from the start's samples (training/generated_class.py);
  BK B, then the GAN stage against the K+1 adversary made to see what is
     judged: 256-token rollouts (parallel gradient), straight-through
     feedback (the judges read hard tokens) at a constant tau of 1, the KL
     term toward B (the stage's start) and --gan_steps steps;
  BnK BK from Bn: the GAN stage after MLE without augmentation, its MLE
     term's crops not transposed either;
  BKP BK with 64-event real primers, half of them of another genre (the
     rollout must carry another genre's opening into the target's).

Variants are arms of their own, judged beside the others: `E100`, `E1000`
(E with beta_max 100 or 1000: RelGAN's range) and `D_wgan_gp` (D with the
WGAN-GP critic loss instead of --realism_loss). Guidance at sampling time
is `<arm>+<guidance>`: the arm's generator, its samples drawn with
generation/guidance.py (`S+rerank:4`, `B+cfg:1`); rerank ranks with the
arm's adversary (for K the K+1 classifier: discriminator rejection
sampling's best-of-N; `--guide generated` ranks every guidance arm with
the start's K+1 classifier). `<arm>@<temperature>` decodes the arm's report
samples at another temperature (`B@0.7`: the control with its temperature
tuned on validation music, as "Language GANs Falling Short" asks), and
`<arm>@<temperature>/<top_p>` with another nucleus too (`B@1.0/1.0`:
ancestral sampling, nothing cut);
`<arm>~<seconds>` caps the notes of what is judged there
(SamplingConfig.max_note_seconds: `B@1.0~4`, `B~4+drs:4`); `<arm>^fit`
draws from the arm's generator boosted by the n-gram cache of
models/ngram_cache.py, its weights fitted to that generator by NLL on
the genre's validation music; `<arm>^<scale>` scales the fitted weights
(`Bn@1.0~5^0.5`; the report's NLL is the boosted model's) and
`<arm>^<scale>:<fade>` fits and draws with the cache faded by <fade> per
earlier occurrence (SamplingConfig.cache_fade).
"""

import dataclasses

from genre_transformer_gan import configs
from genre_transformer_gan.generation import guidance

ARMS = ('S', 'A', 'B', 'Ba', 'B2', 'Bn', 'Bt', 'Bh', 'Bnt', 'Bnh', 'Bf', 'C',
        'D', 'E', 'E0', 'BE', 'K', 'BK', 'BnK', 'BKP')
DECISIVE = ('S', 'B', 'B2', 'E', 'E0', 'BE', 'K')
VARIANTS = ('D_wgan_gp', 'E100', 'E1000')
ARM_NAMES = {'S': 'the start (0 extra steps)',
             'A': 'MLE, all genres',
             'B': 'MLE, target genre, as its genre stage (control)',
             'Ba': "B with the config's augmentation (transposed)",
             'B2': 'B at twice the steps',
             'Bn': 'B without augmentation (no transposition)',
             'Bt': 'B, every token alike (length_balance 1)',
             'Bh': 'B, length_balance 0.5',
             'Bnt': 'Bn, length_balance 1', 'Bnh': 'Bn, length_balance 0.5',
             'Bf': "B on --train_dataset's music",
             'C': 'genre loss + MLE', 'D': 'C + critic',
             'E': 'C, hard feedback', 'E0': 'E with genre weight 0',
             'BE': "B, then E at B's learning rate and batch",
             'K': 'E against the K+1 (generated) adversary',
             'BK': 'B, then the K+1 adversary on 256 hard tokens',
             'BnK': 'Bn, then the GAN stage of BK',
             'BKP': 'BK from primers, half of another genre',
             'D_wgan_gp': 'C + WGAN-GP critic',
             'E100': 'C, hard feedback, beta_max 100',
             'E1000': 'C, hard feedback, beta_max 1000'}
MLE_ARMS = ('A', 'B', 'Ba', 'B2', 'Bn', 'Bt', 'Bh', 'Bnt', 'Bnh', 'Bf')
LENGTH_BALANCE = {'Bt': 1.0, 'Bh': 0.5, 'Bnt': 1.0, 'Bnh': 0.5}
UNAUGMENTED = ('Bn', 'BnK', 'Bnt', 'Bnh')
BASE_AUGMENTED = ('Ba',)
BK_ROLLOUT = 256  # tokens per rollout of arms BK and BKP
# The GAN stage C, D, E and K were measured with (small's until BK was
# chosen): 64-token rollouts (or the config's, if shorter), the full
# gradient, tau annealed exponentially from 1 to 0.1.
EARLIER_ROLLOUT = 64
BKP_PRIMER = 64  # events of real primer before BKP's rollouts
# `<arm>^fit` (`^<scale>`): drawn from the arm's generator boosted by the
# n-gram cache (models/ngram_cache.py), its weights fitted to that
# generator by NLL on the genre's validation music (and scaled).
CACHE_FIT = 'fit'


def decoding(arm: str):
  """(base arm, temperature or '', note cap in seconds or '', guidance
  spec or '', cache or '') of `<base>[@T][~S][^cache][+guidance]`."""
  name, _, spec = arm.partition('+')
  name, _, cache = name.partition('^')
  name, _, cap = name.partition('~')
  base, _, temperature = name.partition('@')
  return base, temperature, cap, spec, cache


def temperature_top_p(text: str):
  """(temperature or None, top-p or None) of decoding()'s `T[/P]`."""
  temperature, _, top_p = text.partition('/')
  return (float(temperature) if temperature else None,
          float(top_p) if top_p else None)


def decoded_dir(directory: str, arm: str) -> str:
  """Where `arm`'s report goes, given its base arm's report folder: the
  base arm's own, or beside it for another decoding (`report_1.0_cap5`)."""
  base = decoding(arm)[0]
  if arm == base:
    return directory
  suffix = arm[len(base):].replace('/', '_p').replace('~', '_cap').replace(
      '^', '_cache_').lstrip('@+_').replace('+', '_')
  return directory.rstrip('/') + '_' + suffix


def adversarial_settings(config, arm: str, args, learning_rate=None,
                         genre=None):
  """The config of a GAN arm (C, D, E and E's variants) on `genre`: one
  change each, its MLE term's crops mle_config's."""
  defaults = configs.AdversarialConfig()
  settings = dict(realism_weight=0.0, feedback='soft', generated_class=False,
                  term_gradient_norms=True,  # The mechanism, logged.
                  sample_len=min(EARLIER_ROLLOUT,
                                 config.adversarial.sample_len),
                  rollout_gradient=defaults.rollout_gradient,
                  temperature_schedule=defaults.temperature_schedule,
                  initial_temperature=defaults.initial_temperature,
                  final_temperature=defaults.final_temperature)
  if arm.startswith('D'):
    settings.update(realism_weight=args.realism_weight,
                    realism_loss='wgan_gp' if arm == 'D_wgan_gp' else
                    args.realism_loss)
  if arm.startswith('E') or arm in ('BE', 'K'):
    settings.update(feedback='hard', final_temperature=(
        1.0 / int(arm[1:]) if arm in ('E100', 'E1000') else
        args.hard_final_temperature))
  if arm == 'E0':
    settings.update(genre_weight=0.0)
  if arm == 'BE':
    settings.update(learning_rate=learning_rate,
                    mle_batch_size=config.batch_size)
  if arm in ('K', 'BK', 'BnK', 'BKP'):
    settings.update(generated_class=True)
  if arm == 'BKP':
    settings.update(primer_len=min(BKP_PRIMER, config.max_len // 4),
                    other_genre_primers=0.5)
  if arm in ('BK', 'BnK', 'BKP'):
    settings.update(sample_len=min(BK_ROLLOUT, config.max_len - 1 -
                                   settings.get('primer_len', 0)),
                    rollout_gradient='parallel',
                    feedback='straight_through', temperature_schedule=(
                        'constant'), initial_temperature=1.0)
  return dataclasses.replace(mle_config(config, arm, genre), adversarial=(
      dataclasses.replace(config.adversarial, **settings)))


def mle_config(config, arm: str, genre=None):
  """The config of arm `arm`'s MLE crops on `genre`: its genre stage's
  (config.for_genre), as genre_gan_train runs it, unless the arm is
  BASE_AUGMENTED (the config's own augmentation; so too with genre None);
  UNAUGMENTED arms' crops are not augmented; LENGTH_BALANCE's arms draw
  pieces by their length."""
  if genre is not None and arm not in BASE_AUGMENTED:
    config = config.for_genre(genre)
  if arm in UNAUGMENTED:
    config = config.with_augmentation('none')
  if arm in LENGTH_BALANCE:
    config = dataclasses.replace(config, train=dataclasses.replace(
        config.train, length_balance=LENGTH_BALANCE[arm]))
  return config


def base_temperature_notes(arms, genres, sampling) -> list:
  """Lines for the arms without `@T` that decode a genre at the config's
  base temperature where the package draws that genre at another
  (SamplingConfig.genre_temperatures): `B` on folk is not `B@1.15`."""
  def at(arm, temperature):  # `<base>@T` then the arm's other suffixes
    base = decoding(arm)[0]
    return f'{base}@{temperature}{arm[len(base):]}'
  return [f'{arm} on {genre}: decoded at the base T {sampling.temperature}, '
          f'not at the T {sampling.temperature_for(genre)} {genre} is drawn '
          f'at by default ({at(arm, sampling.temperature_for(genre))} is).'
          for arm in arms if not decoding(arm)[1] for genre in genres
          if sampling.temperature_for(genre) != sampling.temperature]


def _positive(text) -> bool:
  try:
    return float(text) > 0
  except ValueError:
    return False


def check_arms(arms, train_dataset) -> None:
  """SystemExit (one line) for an arm bench_gan.py cannot run, before
  any training: an unknown base arm, a bad decoding suffix, or Bf
  without its --train_dataset."""
  unknown = sorted({decoding(arm)[0] for arm in arms} - set(ARMS + VARIANTS))
  for arm in arms:  # Bad decoding: one line, before training.
    _, temperature, cap, spec, cache = decoding(arm)
    guidance.Guidance.parse(spec or 'none')
    scale, _, fade = cache.partition(':')
    if cache and not (scale == CACHE_FIT or _positive(scale)) or fade and not (
        _positive(fade) and float(fade) <= 1):
      raise SystemExit(f'{arm}: the cache after ^ must be {CACHE_FIT} or a '
                       'scale > 0 of its fitted weights, then optionally '
                       ':<fade> in (0, 1].')
    try:
      temperature, top_p = temperature_top_p(temperature)
    except ValueError:
      temperature = top_p = float('nan')  # refused below
    if not ((temperature is None or temperature > 0) and
            (top_p is None or 0 < top_p <= 1)):
      raise SystemExit(f'{arm}: @T[/P] needs a temperature T > 0 and a '
                       'top-p P in (0, 1].')
    if cap and not _positive(cap):
      raise SystemExit(f'{arm}: the note cap (seconds) after ~ must be > 0.')
  if unknown:
    raise SystemExit(f'Unknown arms {unknown}; choose from '
                     f'{", ".join(ARMS + VARIANTS)}.')
  if 'Bf' in {decoding(arm)[0] for arm in arms} and not train_dataset:
    raise SystemExit('Arm Bf needs --train_dataset (e.g. corpus_genre/full).')
