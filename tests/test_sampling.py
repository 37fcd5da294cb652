"""Cached sampling: seeds, primers, greedy == full forward, sliding window."""

import numpy as np
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import notes as notes_lib
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import music_transformer

_VOCAB = vocab.GENRE_OFFSET + 3


def _model():
  return music_transformer.MusicTransformer.from_transformer_config(
      configs.get_config('tiny').transformer, _VOCAB)


def _greedy_next(model, context):
  logits = np.array(model(np.asarray(context)[None]))[0, -1]
  logits[:vocab.NUM_RESERVED] = -np.inf
  logits[vocab.GENRE_OFFSET:] = -np.inf
  return int(np.argmax(logits))


def test_seeded_with_primer_and_event_tokens_only():
  sampler = sampling.Sampler(_model(), top_p=0.95)
  prompts = np.array([[vocab.GENRE_OFFSET, 60, 300],
                      [vocab.GENRE_OFFSET + 2, 70, 310]])
  a = sampler.generate(prompts, 40, seed=1)
  b = sampler.generate(prompts, 40, seed=1)
  c = sampler.generate(prompts, 40, seed=2)
  assert a.shape == (2, 43)
  np.testing.assert_array_equal(a, b)
  assert not np.array_equal(a, c)
  np.testing.assert_array_equal(a[:, :3], prompts)
  assert a[:, 3:].min() >= vocab.NUM_RESERVED
  assert a[:, 3:].max() < vocab.GENRE_OFFSET


def test_greedy_equals_full_forward_argmax():
  model = _model()
  tokens = sampling.generate(model, [[vocab.GENRE_OFFSET + 1, 62]], 30,
                             top_k=1)[0]
  for t in range(2, len(tokens)):
    assert tokens[t] == _greedy_next(model, tokens[:t]), t


def test_sliding_window_beyond_training_length():
  model = _model()
  max_len = model.max_len
  tokens = sampling.generate(model, [[vocab.GENRE_OFFSET]], 2 * max_len,
                             top_k=1)[0]
  assert len(tokens) == 2 * max_len + 1 and tokens[0] == vocab.GENRE_OFFSET
  # The first token after the window filled up is predicted from
  # [genre] + the last `keep` tokens.
  keep = sampling.context_length(tokens[:max_len], max_len)
  assert max_len // 2 - 1 <= keep <= max_len - 1 - max_len // 4
  context = np.concatenate([tokens[:1], tokens[max_len - keep:max_len]])
  assert tokens[max_len] == _greedy_next(model, context)
  assert tokens[max_len + 1] == _greedy_next(
      model, np.concatenate([context, tokens[max_len:max_len + 1]]))


def test_the_sliding_window_keeps_the_onsets_of_sounding_notes():
  max_len = 64  # keeps 31 tokens, or up to 47 for a sounding note
  shift = vocab.TIME_SHIFT_OFFSET + 9
  row = np.full(80, shift, np.int32)
  row[0] = vocab.GENRE_OFFSET
  assert sampling.context_length(row, max_len) == 31
  row[50] = vocab.NOTE_ON_OFFSET + 60  # still sounding: 30 tokens back
  assert sampling.context_length(row, max_len) == 31
  row[40] = vocab.NOTE_ON_OFFSET + 64  # 40 tokens back: kept
  assert sampling.context_length(row, max_len) == 40
  row[45] = vocab.NOTE_OFF_OFFSET + 64  # ended: back to the one at 50
  assert sampling.context_length(row, max_len) == 31
  row[20] = vocab.NOTE_ON_OFFSET + 67  # 60 back: let go (a drone)
  assert sampling.context_length(row, max_len) == 31
  # Rows of one batch slide by their own contexts.
  model = _model()
  quiet = np.full(63, shift, np.int32)
  quiet[0] = vocab.GENRE_OFFSET
  sounding = quiet.copy()
  sounding[25] = vocab.NOTE_ON_OFFSET + 60  # 38 back after one more token
  prompts = np.stack([quiet, sounding])
  sampler = sampling.Sampler(model, top_k=1)
  both = sampler.generate(prompts, 20)
  for i in range(2):
    np.testing.assert_array_equal(
        both[i], sampler.generate(prompts[i:i + 1], 20)[0])


def test_open_note_onsets_agree_with_the_notes_never_closed():
  rng = np.random.default_rng(0)
  for _ in range(20):
    tokens = rng.integers(vocab.NOTE_ON_OFFSET, vocab.VELOCITY_OFFSET, 300)
    tokens[rng.random(300) < 0.5] = vocab.NOTE_ON_OFFSET + 60  # collisions
    unclosed = notes_lib.notes_of_tokens(tokens)
    starts = np.round(unclosed.start * vocab.STEPS_PER_SECOND).astype(int)
    unclosed = sorted(zip(unclosed.pitch[~unclosed.closed],
                          starts[~unclosed.closed]))
    onsets = notes_lib.open_note_onsets(tokens)
    steps = np.cumsum(np.where(
        (tokens >= vocab.TIME_SHIFT_OFFSET) & (tokens < vocab.VELOCITY_OFFSET),
        tokens - vocab.TIME_SHIFT_OFFSET + 1, 0))
    found = sorted((tokens[i] - vocab.NOTE_ON_OFFSET, steps[i])
                   for i in onsets)
    # notes_of_tokens drops notes of zero length (begun at the very end).
    assert unclosed == [f for f in found if f[1] != steps[-1]]


def test_filter_logits():
  logits = tf.math.log([[0.5, 0.3, 0.15, 0.05]])
  top_p = sampling.filter_logits(logits, top_p=0.7).numpy()
  assert np.isfinite(top_p[0, :2]).all() and np.isinf(top_p[0, 2:]).all()
  top_p = sampling.filter_logits(logits, top_p=0.1).numpy()
  assert np.isfinite(top_p[0, 0]) and np.isinf(top_p[0, 1:]).all()
  top_k = sampling.filter_logits(logits, top_k=3).numpy()
  assert np.isinf(top_k[0, 3]) and np.isfinite(top_k[0, :3]).all()
  hot = sampling.filter_logits(logits, temperature=0.5).numpy()
  np.testing.assert_allclose(hot, logits.numpy() * 2, rtol=1e-6)


def test_samplers_compile_as_the_sampling_config_says():
  """small samples under XLA (1.7x faster on a CPU), tiny's tests do not;
  the report's, the monitor's and guidance's samplers follow the config."""
  import dataclasses  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.generation import guidance  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import monitor  # pylint: disable=import-outside-toplevel
  from tests import tiny_models  # pylint: disable=import-outside-toplevel
  assert configs.get_config('small').sampling.jit_compile
  tiny = configs.get_config('tiny').sampling
  assert not tiny.jit_compile
  model = tiny_models.generator()
  for jit_compile in (False, True):
    decode = dataclasses.replace(tiny, jit_compile=jit_compile)
    watcher = monitor.SampleMonitor(
        'folk', tiny_models.VOCAB.genre_token('folk'), 2, 6,
        sampling_config=decode)
    assert watcher.sample(model).shape == (2, 6)
    assert watcher._samplers[id(model)].jit_compile == jit_compile  # pylint: disable=protected-access
    assert guidance.make_sampler(
        model, tiny_models.VOCAB, 'folk', guidance.Guidance.parse('drs:2'),
        jit_compile=jit_compile).jit_compile == jit_compile


def test_each_genre_is_drawn_at_its_own_top_p():
  """SamplingConfig.genre_top_p: the monitor's (and so the report's)
  sampler of a genre listed there cuts at its top-p, the others at top_p;
  a top-p outside (0, 1] is refused in one line."""
  import dataclasses  # pylint: disable=import-outside-toplevel
  import pytest  # pylint: disable=import-outside-toplevel
  from genre_transformer_gan.training import monitor  # pylint: disable=import-outside-toplevel
  from tests import tiny_models  # pylint: disable=import-outside-toplevel
  decode = dataclasses.replace(configs.get_config('tiny').sampling,
                               top_p=0.9, genre_top_p=(('folk', 0.5),))
  model = tiny_models.generator()
  for genre, top_p in (('folk', 0.5), ('classical', 0.9)):
    watcher = monitor.SampleMonitor(
        genre, tiny_models.VOCAB.genre_token(genre), 2, 6,
        sampling_config=decode)
    assert watcher.sample(model).shape == (2, 6)
    assert watcher._samplers[id(model)].top_p == top_p  # pylint: disable=protected-access
  with pytest.raises(ValueError, match=r'top_p must be in \(0, 1\], not 1.5 '
                     'for early'):
    dataclasses.replace(decode, genre_top_p=(('early', 1.5),))
