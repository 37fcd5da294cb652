"""Every generator family has the same interface (models/generators.py).

For all three: soft inputs equal int inputs and carry gradients, outputs are
causal and genre-conditioned, every weight gets a gradient, configs, `.keras`
files and tf.train.Checkpoint round-trip. For the LSTM and WaveNet:
incremental (cached) logits equal the full forward pass, and the shared
sampler and Gumbel rollout run unchanged (the transformer's own are in
test_music_transformer.py, test_sampling.py and test_adversarial.py).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from genre_transformer_gan import configs
from genre_transformer_gan.data import vocabulary as vocab
from genre_transformer_gan.generation import sampling
from genre_transformer_gan.models import generators
from genre_transformer_gan.models import losses
from genre_transformer_gan.models import wavenet_generator
from genre_transformer_gan.training import gumbel

_VOCAB = vocab.Vocabulary(['classical', 'folk', 'early']).size
FAMILIES = ('lstm', 'wavenet')


def _model(generator, **kwargs):
  return generators.build(configs.get_config('tiny', generator), _VOCAB,
                          **kwargs)


def _tokens(rng, batch, length):
  tokens = rng.integers(vocab.NUM_RESERVED, vocab.GENRE_OFFSET,
                        (batch, length)).astype(np.int32)
  tokens[:, 0] = vocab.GENRE_OFFSET + np.arange(batch) % 3
  return tokens


@pytest.mark.parametrize('generator', generators.GENERATORS)
def test_build_picks_the_family(generator):
  model = _model(generator)
  assert model.vocab_size == _VOCAB and model.max_len == 64
  assert model.hidden_size > 0 and model.max_positions is None
  assert type(model).__name__ == {
      'transformer': 'MusicTransformer', 'lstm': 'LstmGenerator',
      'wavenet': 'WaveNetGenerator'}[generator]


@pytest.mark.parametrize('generator', FAMILIES)
def test_incremental_logits_equal_full_forward(generator):
  """A free-running rollout past the receptive field, checked every step."""
  model = _model(generator)
  rng = np.random.default_rng(0)
  total = 140  # > tiny WaveNet's receptive field (64) and > max_len.
  tokens = _tokens(rng, 2, total)
  cache = model.init_cache(2, total)
  step = tf.function(model.call_cached)
  cached = []
  for t in range(total - 1):
    # A tensor position: one trace for every step, as the sampler runs it.
    logits, cache = step(tokens[:, t], cache, tf.constant(t))
    cached.append(np.asarray(logits))
    if t >= 10:  # Free running after a 10-token primer.
      probs = tf.nn.softmax(logits).numpy().astype(np.float64)
      tokens[:, t + 1] = [rng.choice(_VOCAB, p=p / p.sum()) for p in probs]
  full = np.asarray(model(tokens[:, :-1]))
  np.testing.assert_allclose(np.stack(cached, 1), full, atol=1e-4)


def test_wavenet_queues_are_per_layer_ring_buffers():
  model = _model('wavenet')
  genre, queues = model.init_cache(3)
  assert genre.shape == (3, 16)
  assert [q.shape[1] for q in queues] == [1, 2, 4, 8, 16, 32]
  assert model.receptive_field == configs.get_config(
      'tiny').wavenet.receptive_field == 64
  # Kernel 3: two taps into the past per layer.
  wide = wavenet_generator.WaveNetGenerator(
      _VOCAB, residual_channels=8, skip_channels=8, kernel_size=3,
      dilations=(1, 4, 2), max_len=32)
  tokens = _tokens(np.random.default_rng(3), 2, 40)
  cache = wide.init_cache(2)
  for t in range(40):
    logits, cache = wide.call_cached(tokens[:, t], cache, t)
    np.testing.assert_allclose(np.asarray(logits),
                               np.asarray(wide(tokens[:, :t + 1]))[:, t],
                               atol=1e-5)
  layer = wide.gated_layers[-1]
  assert not layer.use_residual and wide.gated_layers[0].use_residual
  clone = wavenet_generator.GatedResidualLayer.from_config(layer.get_config())
  assert clone.get_config() == layer.get_config()
  with pytest.raises(ValueError, match='kernel_size must be at least 2'):
    wavenet_generator.WaveNetGenerator(_VOCAB, 8, 8, 1, (1,), 32)


@pytest.mark.parametrize('generator', generators.GENERATORS)
def test_soft_inputs_equal_int_inputs_and_carry_gradients(generator):
  model = _model(generator)
  tokens = _tokens(np.random.default_rng(1), 2, 20)
  soft = tf.one_hot(tokens, _VOCAB)
  np.testing.assert_allclose(np.asarray(model(soft)),
                             np.asarray(model(tokens)), atol=1e-5)
  soft = tf.Variable(soft)
  with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model(soft)[:, -1, 5])
  gradient = tape.gradient(loss, soft).numpy()
  # The last position depends on the genre token and on earlier tokens.
  assert np.abs(gradient[:, 0]).max() > 0 and np.abs(gradient[:, 10]).max() > 0


@pytest.mark.parametrize('generator', generators.GENERATORS)
def test_every_weight_gets_a_gradient(generator):
  """The trainers' all-reduce refuses None gradients: no dead weights."""
  model = _model(generator)
  tokens = _tokens(np.random.default_rng(5), 2, 24)
  with tf.GradientTape() as tape:
    loss_sum, _ = losses.next_token_nll(model, tokens, training=True)
  gradients = tape.gradient(loss_sum, model.trainable_variables)
  dead = [v.path for v, g in zip(model.trainable_variables, gradients)
          if g is None]
  assert not dead


@pytest.mark.parametrize('generator', generators.GENERATORS)
def test_causal_and_genre_conditioned(generator):
  model = _model(generator)
  tokens = _tokens(np.random.default_rng(2), 3, 30)
  logits = np.asarray(model(tokens))
  assert logits.shape == (3, 30, _VOCAB) and logits.dtype == np.float32
  changed = tokens.copy()
  changed[:, 20:] = 7
  np.testing.assert_allclose(np.asarray(model(changed))[:, :20],
                             logits[:, :20], atol=1e-5)
  other_genre = tokens.copy()
  other_genre[:, 0] = vocab.GENRE_OFFSET + (np.arange(3) + 1) % 3
  # Global conditioning: the genre changes even the last position.
  assert np.abs(np.asarray(model(other_genre))[:, -1] - logits[:, -1]).max(
  ) > 1e-4


@pytest.mark.parametrize('generator,dtype', [
    (g, None) for g in generators.GENERATORS] + [
        ('transformer', 'mixed_bfloat16')])
def test_saving_and_checkpoint_round_trip(generator, dtype, tmp_path):
  model = _model(generator, dtype=dtype)
  tokens = _tokens(np.random.default_rng(4), 2, 16)
  expected = np.asarray(model(tokens))
  path = tmp_path / 'generator.keras'
  model.save(path)
  loaded = keras.saving.load_model(path)
  assert loaded.get_config() == model.get_config()
  assert loaded.compute_dtype == model.compute_dtype
  np.testing.assert_allclose(np.asarray(loaded(tokens)), expected, atol=1e-6)
  # tf.train.Checkpoint (what the trainers write) must see every weight.
  prefix = tf.train.Checkpoint(model=model).save(str(tmp_path / 'ckpt'))
  fresh = _model(generator, dtype=dtype)
  status = tf.train.Checkpoint(model=fresh).restore(prefix)
  status.assert_existing_objects_matched()
  np.testing.assert_allclose(np.asarray(fresh(tokens)), expected, atol=1e-6)
  assert len(fresh.weights) == len(model.weights)


@pytest.mark.parametrize('generator', FAMILIES)
def test_sampler_and_gumbel_rollout_run_unchanged(generator):
  model = _model(generator)
  prompts = np.full([2, 1], vocab.GENRE_OFFSET, np.int32)
  # Longer than max_len (64): the sampler slides its window.
  samples = sampling.generate(model, prompts, 100, seed=3)
  assert samples.shape == (2, 101)
  events = samples[:, 1:]
  assert ((events >= vocab.NUM_RESERVED) &
          (events < vocab.GENRE_OFFSET)).all()
  np.testing.assert_array_equal(
      samples, sampling.generate(model, prompts, 100, seed=3))
  seed = tf.constant([1, 2], tf.int32)
  with tf.GradientTape() as tape:
    full = gumbel.rollout(model, prompts, 12, 0.5, seed)
    loss = tf.reduce_sum(full['samples'][:, :, 10])
  gradients = tape.gradient(loss, model.trainable_variables)
  assert any(float(tf.reduce_max(tf.abs(g))) > 0 for g in gradients
             if g is not None)
  parallel = gumbel.rollout(model, prompts, 12, 0.5, seed,
                            gradient='parallel')
  np.testing.assert_array_equal(full['tokens'].numpy(),
                                parallel['tokens'].numpy())
  np.testing.assert_allclose(full['logits'].numpy(),
                             parallel['logits'].numpy(), atol=1e-4)


def test_unknown_generator_lists_the_choices():
  with pytest.raises(ValueError, match='transformer, lstm, wavenet'):
    configs.get_config('tiny', 'gru')
  assert configs.get_config('tiny', 'transformer') is configs.get_config(
      'tiny')
