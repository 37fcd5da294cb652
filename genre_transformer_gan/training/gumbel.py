"""Differentiable free-running rollouts with the Gumbel-softmax relaxation.

At step t the generator's logits o_t (PAD, EOS and genre tokens masked out)
are perturbed with Gumbel noise g_t = -log(-log u), u ~ U(0, 1), and relaxed:

  y_t = softmax((o_t + g_t) / tau)                                  [B, V]

argmax(y_t) = argmax(o_t + g_t) is the token a_t an ordinary sampler would
draw (the Gumbel-max trick). What is fed back as the next input (a one-hot
or a mixture multiplied into the embedding table) and what the judges see
is the `feedback`:

  soft:             feed y_t, judges see y_t. The generator reads mixtures
                    of embeddings it never meets in MLE training or
                    sampling; gradients flow through the feedback.
  hard:             feed onehot(a_t) (RelGAN), judges see y_t. The rollout
                    is what a sampler at temperature 1 plays (same noise,
                    same tokens); the gradient reaches the generator
                    through y_t's logits at every step, not through the
                    feedback ('full' and 'parallel' rollout gradients are
                    then the same).
  straight_through: feed and judge h_t = onehot(a_t) + y_t - stop(y_t):
                    hard values, y_t's gradients, through the feedback too.

Temperature schedules (tau over the adversarial run, RelGAN's 'exp' default):
  exp:      tau_n = tau_0 * (tau_N / tau_0) ** (n / N)
  linear:   tau_n = tau_0 + (tau_N - tau_0) * n / N
  constant: tau_n = tau_0
"""

import tensorflow as tf

from genre_transformer_gan import choices
from genre_transformer_gan.data import vocabulary as vocab

SCHEDULES = ('exp', 'linear', 'constant')
FEEDBACKS = choices.FEEDBACKS
_NEG = -1e9


def temperature(step, total_steps, initial: float, final: float,
                schedule: str = 'exp'):
  """tau at `step` (a float32 tensor) of a run of `total_steps`."""
  if schedule not in SCHEDULES:
    raise ValueError(f'Unknown temperature schedule {schedule!r}; choose one '
                     f'of: {", ".join(SCHEDULES)}.')
  progress = tf.clip_by_value(
      tf.cast(step, tf.float32) / float(max(total_steps, 1)), 0.0, 1.0)
  if schedule == 'exp':
    return initial * (final / initial) ** progress
  if schedule == 'linear':
    return initial + (final - initial) * progress
  return tf.constant(initial, tf.float32)


def event_logit_mask(vocab_size: int):
  """float32 [V]: 0 for event tokens, -1e9 for PAD, EOS and genre tokens."""
  return tf.where(vocab.event_mask(vocab_size), 0.0, _NEG)


def gumbel_noise(shape, seed):
  """-log(-log u), u ~ U(0, 1); stateless in the int32 [2] `seed`."""
  uniform = tf.random.stateless_uniform(shape, seed, minval=1e-20, maxval=1.0)
  return -tf.math.log(-tf.math.log(uniform))


def relax(logits, noise, tau, straight_through: bool = False):
  """Gumbel-softmax samples [.., V] of masked logits and their noise."""
  soft = tf.nn.softmax((logits + noise) / tau, axis=-1)
  if not straight_through:
    return soft
  hard = tf.one_hot(tf.argmax(soft, axis=-1), tf.shape(soft)[-1],
                    dtype=soft.dtype)
  return hard + soft - tf.stop_gradient(soft)


def check_feedback(feedback: str) -> str:
  if feedback not in FEEDBACKS:
    raise ValueError(f'Unknown rollout feedback {feedback!r}; choose one of: '
                     f'{", ".join(FEEDBACKS)}.')
  return feedback


def rollout(model, prompts, num_tokens: int, tau, seed,
            feedback: str = 'soft', gradient: str = 'full', noise=None):
  """K free-running Gumbel-softmax steps after int prompts.

  Args:
    model: a generator (models/generators.py: call_cached, init_cache,
      call).
    prompts: int32 [B, P] (P >= 1; position 0 is the genre token).
    num_tokens: K.
    tau: float scalar temperature.
    seed: int32 [2] stateless seed of the Gumbel noise.
    feedback: 'soft', 'hard' or 'straight_through' (module docstring).
    gradient: 'full' (through the cached loop and its feedback) or
      'parallel' (the loop without gradients, then one differentiable
      forward pass over the fed inputs; same values).
    noise: float32 [B, K, V] Gumbel noise to use instead of drawing it
      from `seed` (the adversarial step draws it outside its XLA cluster).

  Returns:
    dict with
      samples: float32 [B, K, V] what the judges see (differentiable);
      fed: float32 [B, K, V] the input fed back after each step;
      tokens: int32 [B, K] the sampled tokens a_t;
      logits: float32 [B, K, V] masked generator logits of each step.
  """
  check_feedback(feedback)
  if gradient not in ('full', 'parallel'):
    raise ValueError(f"gradient must be 'full' or 'parallel', not "
                     f'{gradient!r}.')
  prompts = tf.convert_to_tensor(prompts, tf.int32)
  batch, prompt_len = tf.shape(prompts)[0], prompts.shape[1]
  vocab_size = model.vocab_size
  if model.max_positions and prompt_len + num_tokens - 1 > model.max_positions:
    raise ValueError(f'primer + sample length {prompt_len + num_tokens - 1} '
                     f'exceeds the generator\'s {model.max_positions} '
                     'positions (absolute attention).')
  mask = event_logit_mask(vocab_size)
  if noise is None:
    noise = gumbel_noise([batch, num_tokens, vocab_size], seed)
  prompt_inputs = tf.one_hot(prompts, vocab_size)
  total = prompt_len + num_tokens - 1  # positions fed to the model

  def loop():
    cache = model.init_cache(batch, total)

    def prefill(t, cache):
      _, cache = model.call_cached(prompt_inputs[:, t], cache, t)
      return t + 1, cache

    # Bounded loops: XLA (a TPU) needs a static trip count to keep the
    # values the gradient reads back (and no loop of zero trips).
    if prompt_len > 1:
      _, cache = tf.while_loop(lambda t, c: t < prompt_len - 1, prefill,
                               (tf.constant(0), cache),
                               maximum_iterations=prompt_len - 1)

    def step(k, inputs, cache, samples, logits_array):
      logits, cache = model.call_cached(inputs, cache, prompt_len - 1 + k)
      logits = logits + mask
      y = relax(logits, noise[:, k], tau, feedback == 'straight_through')
      fed = y
      if feedback == 'hard':
        fed = tf.one_hot(tf.argmax(logits + noise[:, k], axis=-1),
                         vocab_size)
      return (k + 1, fed, cache, samples.write(k, y),
              logits_array.write(k, logits))

    _, _, _, samples, logits = tf.while_loop(
        lambda k, *_: k < num_tokens, step,
        (tf.constant(0), prompt_inputs[:, -1], cache,
         tf.TensorArray(tf.float32, num_tokens),
         tf.TensorArray(tf.float32, num_tokens)),
        maximum_iterations=num_tokens)
    return (tf.transpose(samples.stack(), [1, 0, 2]),
            tf.transpose(logits.stack(), [1, 0, 2]))

  def fed_of(samples):
    if feedback == 'hard':
      return tf.one_hot(tf.argmax(samples, axis=-1), vocab_size)
    return samples

  if gradient == 'full':
    samples, logits = loop()
  else:
    samples, _ = loop()
    inputs = tf.concat(
        [prompt_inputs, tf.stop_gradient(fed_of(samples)[:, :-1])], 1)
    logits = model(inputs, training=False)[:, prompt_len - 1:] + mask
    samples = relax(logits, noise, tau, feedback == 'straight_through')
  return {'samples': samples, 'fed': fed_of(samples),
          'tokens': tf.argmax(samples, axis=-1, output_type=tf.int32),
          'logits': logits}
