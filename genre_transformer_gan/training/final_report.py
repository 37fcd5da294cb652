"""The report that ends a `genre_gan_train` run: samples of the GAN-tuned
generator and of its MLE control, judged beside real music and negatives.

  final_report(...) -> directory/samples/, samples_control/,
                       evaluation.json, evaluation.md; returns the table.
  final_report(..., listen_synth='auto') also renders a piano roll and WAV
  of the first LISTEN_PIECES samples, control samples and real crops the
  report judged (real/), and writes directory/listen.html: the three side
  by side, with players and each piece's verdicts
  (generation/listen_page.py).
"""

from concurrent import futures
import dataclasses
import os

import numpy as np
import tensorflow as tf

from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.evaluation import judges
from genre_transformer_gan.evaluation import likelihood
from genre_transformer_gan.evaluation import report
from genre_transformer_gan.evaluation import report_format
from genre_transformer_gan.generation import audio
from genre_transformer_gan.generation import generate_lib
from genre_transformer_gan.generation import guidance
from genre_transformer_gan.generation import index as index_lib
from genre_transformer_gan.generation import listen_page
from genre_transformer_gan.training import monitor

# The report's row of the MLE generator the GAN stage started from.
CONTROL_ROW = 'control: MLE only'
# The row of the same generator sampled without guidance.
UNGUIDED_ROW = 'control: no guidance'
GENRE_MLE_ROW = 'control: MLE on the genre'  # guided alike
# The row of the MLE generator of all genres the genre's MLE started from.
ALL_GENRES_ROW = 'control: MLE on all genres'
LISTEN_PAGE = 'listen.html'
# Pieces of each set the listening page renders and plays: rendering all of
# a report's 3 x 32 took 37 s of the quick start's ~10 minutes
# (BENCHMARKS.md, "The quick start"); the report judges them all.
LISTEN_PIECES = 8
REAL_DIR = 'real'


def write_samples(generator, vocabulary, genre, directory, num_samples,
                  length, seed=0, sampling_config=None, steer=None,
                  guide=None, with_candidates=False):
  """Samples of `genre` as MIDI and .npy tokens in `directory`; the tokens.

  steer: a generation/guidance.Guidance (None: plain sampling, as the
  monitor samples); guide: the classifier rerank:N / drs:N ranks with.
  with_candidates: returns (tokens, the candidates guidance chose from, or
  None) (guidance.draw). The tokens written and returned have their notes
  capped at sampling_config.max_note_seconds, as genre_gan_generate writes
  them (the candidates are returned as drawn: `capped`).
  """
  candidates = None
  if steer is None or steer.kind == 'none':
    samples = monitor.SampleMonitor(
        genre, vocabulary.genre_token(genre), num_samples, length, seed=seed,
        sampling_config=sampling_config).sample(generator)
  else:
    decode = sampling_config
    sampler = guidance.make_sampler(generator, vocabulary, genre, steer,
                                    decode.temperature_for(genre),
                                    decode.top_k, decode.top_p_for(genre),
                                    decode.jit_compile,
                                    **decode.cache_for(genre))
    samples, candidates = guidance.draw(
        sampler, steer, np.full([num_samples, 1], vocabulary.genre_token(
            genre), np.int32), length, seed, guide, genre,
        with_candidates=True)
  samples = capped(samples, sampling_config)
  write_tokens(directory, genre, samples)
  return (samples, candidates) if with_candidates else samples


def capped(samples, sampling_config) -> list:
  """[int32 [L_i]]: each sample with its notes capped at
  sampling_config.max_note_seconds (notes.cap_seconds; None: as drawn)."""
  limit = sampling_config.max_note_seconds if sampling_config else None
  return [notes_lib.cap_seconds(tokens, limit) for tokens in samples]


def write_tokens(directory, genre, samples) -> None:
  """<genre>_NN.mid and .npy in directory for each token list."""
  tf.io.gfile.makedirs(directory)
  for i, tokens in enumerate(samples):
    stem = os.path.join(directory, f'{genre}_{i:02d}')
    tokenizer.decode_tokens(tokens, stem + '.mid')
    tokenizer.write_tokens(stem + '.npy', tokens)


def write_listen_page(directory, genre, sets, music, evaluator, classifier,
                      synth='auto', log=print,
                      pieces: int = LISTEN_PIECES) -> str:
  """Renders the first `pieces` of each set and writes directory/listen.html.

  sets: [(column title, folder under directory, token lists)]; each piece
  rendered gets <genre>_NN.png and (unless synth is 'none') .wav in its
  folder, plus .mid / .npy where missing, and the judges' verdicts on the
  page. Returns the page's path.
  """
  synth, message = audio.resolve_synth(synth)
  if message:
    log(message)
  settings = generate_lib.GenerateSettings(genre=genre, synth=synth)
  columns, total = [], max(len(token_lists) for _, _, token_lists in sets)
  for title, folder, token_lists in sets:
    token_lists = list(token_lists)[:pieces]
    verdicts = judges.genre_probabilities(token_lists, evaluator, classifier)
    entries = []
    for i, (tokens, judged) in enumerate(zip(token_lists, verdicts)):
      stem = f'{genre}_{i:02d}'
      entry = generate_lib.write_piece(tokens, os.path.join(directory, folder),
                                       stem, settings, f'{title}: {stem}')
      entries.append(dict(entry, genre_probabilities=judged))
    columns.append(listen_page.Column(
        title, folder + '/', entries,
        index_lib.verdict_summary(entries, genre)))
  shown = (f'the first {pieces} of {total} pieces of each column'
           if total > pieces else 'each column')
  intro = (f'{genre} from {music.name}: {shown}, judged by the '
           'independent evaluator (a genre, or rejected as not music) and '
           'the frozen classifier; evaluation.md has the whole report, of '
           'every piece.')
  return listen_page.write(os.path.join(directory, LISTEN_PAGE),
                           f'Listen: {genre}', intro, columns, genre)


def final_report(config, music, generator, genre, classifier, evaluator,
                 directory, num_samples, length, seed=0,
                 control=None, reference_split='validation',
                 guidance_spec='none', guide=None, samples=None,
                 listen_synth=None, log=print,
                 control_name: str = CONTROL_ROW,
                 control_guided: bool = False) -> str:
  """Samples + evaluation.json / .md of a generator; returns the table.

  music: the dataset's real music (evaluation/real_data.RealMusic).
  The samples are decoded as genre_gan_generate decodes (config.sampling).
  `control`, a generator (the MLE one the GAN stage started from), gets
  the same samples (directory/samples_control) and its own row, judged the
  same way (row `control_name`): the control arm of "does the GAN stage
  help?", or of guidance (the same generator unguided: its samples are
  then the first of each sample's rerank:N / drs:N candidates, plain
  samples of it drawn anyway). The realism
  judges compare with `reference_split` music (report.evaluate_genre).
  guidance_spec / guide: the generator's samples are drawn with genre
  guidance (generation/guidance.py; `guide` is its classifier), and
  the control's too if control_guided.
  samples: the generator's samples drawn before with these settings (e.g.
  for a report against another split): judged, not drawn again.
  listen_synth: if set (audio.SYNTHS; 'none': piano rolls only), renders
  the samples, the control's and the real row's crops and writes
  listen.html (write_listen_page).
  """
  vocabulary = music.vocabulary

  steer = guidance.Guidance.parse(guidance_spec)
  draw = lambda model, folder, model_steer, **kwargs: write_samples(
      model, vocabulary, genre, os.path.join(directory, folder), num_samples,
      length, seed, config.sampling, model_steer, guide, **kwargs)
  # The control's samples are drawn beside the generator's, in a second
  # thread: the same tokens as one after the other, and two samplers keep
  # both cores of a CPU busy where one does not (BENCHMARKS.md, "The quick
  # start"). The same generator unguided reuses the first candidates of
  # rerank:N / drs:N instead, when there are any.
  candidates = control_samples = None
  with futures.ThreadPoolExecutor(max_workers=2) as pool:
    drawn = (pool.submit(draw, generator, 'samples', steer,
                         with_candidates=True) if samples is None else None)
    reuse = control is generator and not control_guided and drawn is not None
    draw_control = lambda: pool.submit(draw, control, 'samples_control',
                                       steer if control_guided else None)
    control_drawn = (draw_control() if control is not None and not reuse
                     else None)
    if drawn is not None:
      samples, candidates = drawn.result()
    if reuse and candidates is None:  # Unguided or chunk:N: none to reuse.
      control_drawn = draw_control()
    if control_drawn is not None:
      control_samples = control_drawn.result()
  cache = config.sampling.cache_for(genre)  # NLL of what is sampled.
  nll = likelihood.genre_nll(generator, config, music, genre, **cache)
  controls = []
  if control_samples is not None:
    controls = [(control_name, control_samples,
                 nll if control is generator else
                 likelihood.genre_nll(control, config, music, genre,
                                      **cache))]
  elif control is not None:  # The same generator unguided: candidates[:, 0].
    unguided = capped(candidates[:, 0], config.sampling)
    write_tokens(os.path.join(directory, 'samples_control'), genre, unguided)
    controls = [(control_name, unguided, nll)]
  rows = report.evaluate_genre(genre, list(samples), evaluator, classifier,
                               music, nll=nll, seed=seed, controls=controls,
                               reference_split=reference_split)
  if listen_synth is not None:
    # Columns named as the report's rows.
    split, crops, _ = report.real_crops(music, genre, list(samples), seed,
                                        reference_split=reference_split)
    sets = [('generated', 'samples', samples)]
    sets += [(name, 'samples_control', control_samples)
             for name, control_samples, _ in controls]
    sets.append((f'real ({split})', REAL_DIR, crops[:num_samples]))
    write_listen_page(directory, genre, sets, music, evaluator, classifier,
                      listen_synth, log)
  report_format.write(rows, {'dataset': music.name, 'genre': genre,
                      'config': config.name, 'seed': seed,
                      'sampling': dataclasses.asdict(config.sampling),
                      'guidance': guidance_spec},
               os.path.join(directory, 'evaluation.json'),
               os.path.join(directory, 'evaluation.md'))
  for line in report_format.sanity_warnings(rows):
    log(line)
  return report_format.markdown(rows)
