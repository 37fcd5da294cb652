"""Samples of a trained generator as files: MIDI, WAV, piano roll, index.

The library behind `genre_gan_generate` and the quickstart notebook:

  model = load(model_dir, genre)             # adversarial_<genre> if trained
  index = generate_files(model, output_dir, settings, judge=...)

`judge` is any callable from a list of token sequences to one dict per
sequence (evaluation/judges.py's `Judges`: genre probabilities and the
evaluator's verdict); its `sources` attribute, if any, names the judges in
the index.

Genre transfer: with a primer (MIDI of any genre) each sample is
[target genre token] + the primer's first tokens, continued by the model;
re-conditioning on the target genre is what moves the music there. The
primer alone is written to output_dir/primer/ and the index gives the
genre probabilities of the primer and of each generated continuation.
"""

import dataclasses
import math
import os
import time
from typing import Optional

import numpy as np
import tensorflow as tf

from genre_transformer_gan import atomic_files
from genre_transformer_gan.data import example_lib
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import tokenizer
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan import file_checks
from genre_transformer_gan.generation import audio
from genre_transformer_gan.generation import guidance
from genre_transformer_gan.generation import index as index_lib
from genre_transformer_gan.generation import primer as primer_lib
from genre_transformer_gan.generation import render
from genre_transformer_gan.models import generator_io

PRIMER_DIR = index_lib.PRIMER_DIR
# --seconds=S generates ceil(S x this) tokens and cuts each sample at S
# seconds: above the densest real piece's tokens per second in
# corpus_genre/small's train split (median 13, 99th percentile 33, most 49),
# so a sample falls short of S only if it is denser than any of those.
TOKENS_PER_SECOND = 50
PROGRESS_SECONDS = 30  # Within a batch, a progress line at most this often.


@dataclasses.dataclass(frozen=True)
class GenerateSettings:
  """What to generate and how (genre_gan_generate's flags).

  Attributes:
    genre: the target genre.
    num_samples: samples to write.
    length: event tokens generated per sample (after the primer).
    temperature, top_k, top_p: sampling filters (sampling.filter_logits);
      None: the generator's config (`Config.sampling`, see `decoding`).
    seed: the same seed (and batch_size) gives the same samples.
    batch_size: samples drawn together.
    primer: a MIDI file to continue in the target genre (genre transfer).
    primer_tokens: the primer's first tokens used (0: half the model's
      training length).
    synth: audio.SYNTHS (auto: FluidSynth if installed, else soundfont;
      none: no WAV).
    sample_rate: WAV sample rate.
    soundfont: .sf2 for FluidSynth (default: pretty_midi's TimGM6mb.sf2).
    guidance: genre guidance (guidance.py): 'none', 'rerank:N' (best of N
      by the frozen classifier), 'drs:N' (one of N drawn by the K+1
      discriminator's density ratio), 'chunk:N' (best of N every 64 tokens)
      or 'cfg:G' (classifier-free, gamma G).
    seconds: if set, the length in seconds instead of `length`: ceil(
      seconds x TOKENS_PER_SECOND) tokens are drawn and each sample is cut
      where it reaches `seconds`.
    primer_seconds: if set, the primer's first seconds (still at most
      primer_tokens, or half the model's training length).
    max_note_seconds: a note still sounding this long after it began ends
      there (notes.cap_seconds: Magenta's Performance RNN does so at 5 s,
      as a model can leave a note hanging), in every file written and in
      what the index's judges read; None: the config's
      (SamplingConfig.max_note_seconds), 0: no cap.
    ngram_cache: draw with the config's n-gram cache for the genre
      (SamplingConfig.cache_weights_for, models/ngram_cache.py); False:
      from the generator alone.
  """
  genre: str
  num_samples: int = 8
  length: int = 1024
  temperature: Optional[float] = None
  top_k: Optional[int] = None
  top_p: Optional[float] = None
  seed: int = 0
  batch_size: int = 8
  primer: Optional[str] = None
  primer_tokens: int = 0
  synth: str = 'auto'
  sample_rate: int = audio.DEFAULT_SAMPLE_RATE
  soundfont: Optional[str] = None
  guidance: str = 'none'
  seconds: Optional[float] = None
  primer_seconds: Optional[float] = None
  max_note_seconds: Optional[float] = None
  ngram_cache: bool = True

  @property
  def tokens(self) -> int:
    """Event tokens drawn per sample (after the primer)."""
    if self.seconds is None:
      return self.length
    return math.ceil(self.seconds * TOKENS_PER_SECOND)

  def check(self) -> None:
    """Raises ValueError (one line naming the flag) on a bad setting."""
    for name in ('num_samples', 'length', 'batch_size', 'sample_rate'):
      if getattr(self, name) < 1:
        raise ValueError(f'--{name} must be at least 1.')
    for name in ('temperature', 'seconds', 'primer_seconds'):
      if getattr(self, name) is not None and getattr(self, name) <= 0:
        raise ValueError(f'--{name} must be > 0.')
    if (self.max_note_seconds or 0) < 0:
      raise ValueError('--max_note_seconds must be >= 0 (0: no cap).')
    if self.top_p is not None and not 0 < self.top_p <= 1:
      raise ValueError('--top_p must be in (0, 1].')
    if (self.top_k or 0) < 0 or self.primer_tokens < 0:
      raise ValueError('--top_k and --primer_tokens must be >= 0.')
    if self.synth not in audio.SYNTHS:
      raise ValueError(f'--synth={self.synth} is unknown; choose one of: '
                       f'{", ".join(audio.SYNTHS)}.')
    guidance.Guidance.parse(self.guidance)
    if self.soundfont:
      audio.check_soundfont(self.soundfont)


@dataclasses.dataclass(frozen=True)
class LoadedGenerator:
  """A restored generator and what it was trained with."""
  model: object
  config: object
  checkpoint: generator_io.GeneratorCheckpoint
  vocabulary: vocab.Vocabulary


def load(model_dir: str, genre: Optional[str] = None) -> LoadedGenerator:
  """The generator in model_dir (its adversarial_<genre> stage if trained).

  Raises:
    FileNotFoundError / ValueError: no checkpoint, or an unknown genre (the
      message lists the model's genres).
  """
  checkpoint_dir = generator_io.pick_for_genre(model_dir, genre)
  model, config, checkpoint = generator_io.load_generator(checkpoint_dir)
  vocabulary = vocab.Vocabulary(checkpoint.genres)
  if genre is not None and genre not in vocabulary.genres:
    raise ValueError(f'Unknown --genre={genre}; the model in {model_dir} '
                     f'knows: {", ".join(vocabulary.genres)}.')
  return LoadedGenerator(model, config, checkpoint, vocabulary)


def load_shipped(name: str = 'small') -> LoadedGenerator:
  """The generator shipped inside the package for config `name`: no
  training run, no dataset (generator_io.load_shipped; its ValueError)."""
  model, config, checkpoint = generator_io.load_shipped(name)
  return LoadedGenerator(model, config, checkpoint,
                         vocab.Vocabulary(checkpoint.genres))


def check_genre(generator: LoadedGenerator, genre: str) -> None:
  """ValueError (one line, listing the model's genres) for another genre."""
  if genre not in generator.vocabulary.genres:
    raise ValueError(f'Unknown genre {genre}; the model knows: '
                     f'{", ".join(generator.vocabulary.genres)}.')


def primer_of(generator: LoadedGenerator,
              settings: GenerateSettings) -> Optional[np.ndarray]:
  """The primer's tokens settings ask for (primer.read_primer), or None."""
  if not settings.primer:
    return None
  return primer_lib.read_primer(
      settings.primer, settings.primer_tokens or generator.model.max_len // 2,
      settings.primer_seconds)


def decoding(settings: GenerateSettings, config) -> GenerateSettings:
  """settings with unset temperature / top_k / top_p / max_note_seconds
  from config.sampling (the temperature and top-p its genre's:
  SamplingConfig.temperature_for, top_p_for); max_note_seconds 0 turns the
  cap off (None)."""
  defaults = {'temperature': config.sampling.temperature_for(settings.genre),
              'top_k': config.sampling.top_k,
              'top_p': config.sampling.top_p_for(settings.genre),
              'max_note_seconds': config.sampling.max_note_seconds}
  settings = dataclasses.replace(settings, **{
      name: default if getattr(settings, name) is None
      else getattr(settings, name) for name, default in defaults.items()})
  if settings.max_note_seconds == 0:
    settings = dataclasses.replace(settings, max_note_seconds=None)
  return settings


def drawn_cache(generator, settings: GenerateSettings) -> Optional[dict]:
  """The n-gram cache settings.genre is drawn with (SamplingConfig.cache_for:
  the run's fitted weights where genre_gan_train fitted them), or None."""
  cache = generator.config.sampling.cache_for(settings.genre)
  return cache if settings.ngram_cache and cache['cache_weights'] else None


def sample(generator: LoadedGenerator, settings: GenerateSettings,
           primer: Optional[np.ndarray] = None, log=print,
           classifier=None) -> np.ndarray:
  """int32 [num_samples, len(primer) + length] event tokens (no genre token).

  Batches of settings.batch_size; batch b uses sampling seed
  settings.seed * 7919 + b, so a sample depends on seed and batch_size.
  With --guidance=rerank:N (drs:N) each sample is the best of (one drawn
  from) N candidates drawn in one batch of batch_size * N (guidance.draw,
  by `classifier`).
  """
  settings = decoding(settings, generator.config)
  steer = guidance.Guidance.parse(settings.guidance)
  genre_token = generator.vocabulary.genre_token(settings.genre)
  sampler = guidance.make_sampler(
      generator.model, generator.vocabulary, settings.genre, steer,
      settings.temperature, settings.top_k, settings.top_p,
      generator.config.sampling.jit_compile,
      **(drawn_cache(generator, settings) or {}))
  primer = np.zeros([0], np.int32) if primer is None else primer
  if steer.kind != 'none':
    log(f'Guidance {settings.guidance}: about '
        f'{steer.sampling_cost(len(generator.vocabulary.genres)):.0f}x the '
        'time of plain sampling.')
  batches = []
  for start in range(0, settings.num_samples, settings.batch_size):
    size = min(settings.batch_size, settings.num_samples - start)
    prompts = np.concatenate([np.full([size, 1], genre_token, np.int32),
                              np.tile(primer[None], [size, 1])], axis=1)
    began = time.time()
    batch_seed = int(settings.seed) * 7919 + start // settings.batch_size
    tokens = guidance.draw(sampler, steer, prompts, settings.tokens,
                           batch_seed, classifier, settings.genre,
                           on_window=_window_progress(began, log))
    seconds = time.time() - began
    batches.append(tokens)
    done = start + size
    log(f'{done}/{settings.num_samples} samples: {size} x '
        f'{settings.tokens} tokens in {seconds:.1f} s '
        f'({size * settings.tokens / max(seconds, 1e-9):.0f} tokens/s); ETA '
        f'{seconds / size * (settings.num_samples - done):.0f} s')
  return np.concatenate(batches, axis=0)


def _window_progress(began: float, log):
  """Sampler.generate's on_window: a line at most every PROGRESS_SECONDS
  while a batch is drawn, with its rate and ETA (a long --seconds)."""
  last = began

  def on_window(added: int, total: int) -> None:
    nonlocal last
    now = time.time()
    if added < total and now - last >= PROGRESS_SECONDS:
      last = now
      rate = added / max(now - began, 1e-9)
      log(f'  {added}/{total} tokens of this batch ({rate:.0f} tokens/s a '
          f'sample); ETA {(total - added) / max(rate, 1e-9):.0f} s')
  return on_window


def pieces(generator: LoadedGenerator, settings: GenerateSettings,
           primer: Optional[np.ndarray] = None, log=print,
           classifier=None) -> list:
  """[int32 [n_i]]: `sample`'s rows, each cut at settings.seconds if set
  (the primer is kept whole), then notes capped at max_note_seconds if
  set (or the config's: `decoding`)."""
  settings = decoding(settings, generator.config)
  tokens = list(sample(generator, settings, primer, log, classifier))
  if settings.seconds is not None:
    start = 0 if primer is None else len(primer)
    tokens = [np.concatenate([t[:start], example_lib.first_seconds(
        t[start:], settings.seconds)]) for t in tokens]
  return [notes_lib.cap_seconds(t, settings.max_note_seconds)
          for t in tokens]


def write_piece(tokens, directory: str, stem: str, settings: GenerateSettings,
                title: str = '', boundary_seconds=None) -> dict:
  """<stem>.mid, .npy, .png and (unless synth is 'none') .wav; the entry.

  The .npy holds the event tokens exactly as generated (with notes capped
  at max_note_seconds; genre_gan_evaluate reads it instead of the MIDI:
  MIDI closes notes a model never closed).
  """
  tf.io.gfile.makedirs(directory)
  midi_path = os.path.join(directory, stem + '.mid')
  sequence = tokenizer.decode_tokens(tokens, midi_path)
  tokenizer.write_tokens(os.path.join(directory, stem + '.npy'), tokens)
  entry = {'name': stem, 'midi': stem + '.mid', 'tokens_file': stem + '.npy',
           'png': stem + '.png', 'wav': None, 'tokens': int(len(tokens)),
           'notes': len(sequence.notes),
           'seconds': round(float(sequence.total_time), 3)}
  render.piano_roll(tokens, title or stem, os.path.join(directory,
                                                        stem + '.png'),
                    boundary_seconds=boundary_seconds)
  if settings.synth != 'none':
    waveform = audio.synthesize(sequence, settings.synth, settings.sample_rate,
                                settings.soundfont)
    audio.write_wav(os.path.join(directory, stem + '.wav'), waveform,
                    settings.sample_rate)
    entry['wav'] = stem + '.wav'
  return entry


def _clear_earlier_run(output_dir: str, genre: str, num_samples: int,
                       overwrite: bool, log=print) -> None:
  """Refuses (or with overwrite, removes) an earlier run's files there."""
  ours = [f'{genre}_{i:02d}.mid' for i in range(num_samples)]
  present = [f for f in dict.fromkeys(index_lib.files_of(output_dir) + ours)
             if os.path.exists(os.path.join(output_dir, f))]
  if not present:
    return
  if not overwrite:
    raise ValueError(
        f'--output_dir={output_dir} holds samples of an earlier run '
        f'({", ".join(present[:3])}{", ..." if len(present) > 3 else ""}); '
        'pass --overwrite to replace them, or choose another --output_dir.')
  for name in present:
    os.remove(os.path.join(output_dir, name))
  log(f'Removed {len(present)} files of an earlier run in {output_dir} '
      '(--overwrite).')


def generate_files(generator: LoadedGenerator, output_dir: str,
                   settings: GenerateSettings, judge=None,
                   log=print, guide=None, overwrite: bool = False) -> dict:
  """Samples (and a primer) as MIDI / WAV / PNG plus index.json, .md, .html.

  --guidance=rerank:N / drs:N / chunk:N ranks candidates with `guide`
  (default: judge.classifier, the frozen classifier); the judges then give
  their verdicts on the chosen samples. A folder holding an earlier run's
  samples is refused unless `overwrite` (then its files are removed
  first). Every file is written atomically (atomic_files.py): a failure,
  a full disk included, leaves no partial file and no index.

  Returns:
    The index (see index.py).

  Raises:
    ValueError / FileNotFoundError / PermissionError / DiskFullError: one
      line naming the fix.
  """
  try:
    return _generate_files(generator, output_dir, settings, judge, log,
                           guide, overwrite)
  except atomic_files.DiskFullError as e:
    raise atomic_files.name_the_flag(e, '--output_dir') from e


def _generate_files(generator, output_dir, settings, judge, log, guide,
                    overwrite) -> dict:
  """generate_files without its disk-full wording."""
  settings = decoding(settings, generator.config)
  settings.check()
  check_genre(generator, settings.genre)
  classifier = guide if guide is not None else getattr(judge, 'classifier',
                                                      None)
  guidance.Guidance.parse(settings.guidance).check_classifier(classifier)
  file_checks.ensure_writable_dir(output_dir, '--output_dir')
  _clear_earlier_run(output_dir, settings.genre, settings.num_samples,
                     overwrite, log)
  synth, message = audio.resolve_synth(settings.synth)
  if message:
    log(message)
  settings_used = dataclasses.replace(settings, synth=synth)
  primer_entry, boundary, written_primer = None, None, None
  primer = primer_of(generator, settings)
  if primer is not None:
    boundary = example_lib.duration_seconds(primer)
    # The cap reads the stream in order, so the capped primer begins each
    # capped piece: the continuation starts after it.
    written_primer = notes_lib.cap_seconds(primer, settings.max_note_seconds)
    primer_entry = write_piece(written_primer,
                               os.path.join(output_dir, PRIMER_DIR),
                               'primer', settings_used, 'primer')
  tokens = pieces(generator, settings, primer, log, classifier)
  continuations = [t[0 if primer is None else len(written_primer):]
                   for t in tokens]
  judged = continuations + ([written_primer] if primer is not None else [])
  probabilities = judge(judged) if judge else [{} for _ in judged]
  if primer_entry is not None:
    primer_entry['genre_probabilities'] = probabilities.pop()
  entries = []
  for i, (piece, judged) in enumerate(zip(tokens, probabilities)):
    stem = f'{settings.genre}_{i:02d}'
    entry = write_piece(piece, output_dir, stem, settings_used,
                        f'{stem}: {settings.genre}', boundary)
    entry['genre_probabilities'] = judged
    entries.append(entry)
  index = index_lib.make_index(
      {**dataclasses.asdict(settings_used),
       'ngram_cache': drawn_cache(generator, settings)}, generator.checkpoint,
      generator.config, entries, primer_entry,
      getattr(judge, 'sources', {'evaluator': None, 'classifier': None}))
  index_lib.write(index, output_dir)
  log(f'Wrote {len(entries)} samples and index.json / index.md to '
      f'{output_dir}')
  return index
