"""Losses of the adversarial stage, picked by name (MuseGAN's style).

Notation: x_r real sequences of the target genre, x_g generated Gumbel-softmax
samples, D the trainable critic, C the frozen genre classifier, c the target
genre, p_theta the generator, p_0 the pre-trained generator.
"""

import tensorflow as tf

REALISM_LOSSES = ('rsgan', 'wgan_gp')


def genre_loss(classifier_logits, target):
  """Frozen classifier's cross-entropy: mean_i -log softmax(C(x_g,i))[c].

  Args:
    classifier_logits: float [B, genres] = C(x_g).
    target: int class index c of the target genre.

  Returns:
    float32 [B] per-sample losses.
  """
  labels = tf.fill(tf.shape(classifier_logits)[:1], tf.cast(target, tf.int32))
  return tf.nn.sparse_softmax_cross_entropy_with_logits(labels,
                                                        classifier_logits)


def rsgan_losses(real_scores, fake_scores):
  """Relativistic standard GAN (RelGAN's default), per pair i.

    L_D = softplus(-(D(x_r,i) - D(x_g,i)))   = -log sigmoid(D(x_r) - D(x_g))
    L_G = softplus(-(D(x_g,i) - D(x_r,i)))   = -log sigmoid(D(x_g) - D(x_r))

  Returns:
    (critic loss float32 [B], generator loss float32 [B]).
  """
  return (tf.nn.softplus(-(real_scores - fake_scores)),
          tf.nn.softplus(-(fake_scores - real_scores)))


def wgan_losses(real_scores, fake_scores):
  """Wasserstein GAN (the gradient penalty is added by `gradient_penalty`).

    L_D = D(x_g,i) - D(x_r,i)          L_G = -D(x_g,i)

  Returns:
    (critic loss float32 [B], generator loss float32 [B]).
  """
  return fake_scores - real_scores, -fake_scores


def gradient_penalty(critic, real_one_hot, fake, seed, epsilon=None):
  """WGAN-GP: (||grad_x D(x_hat)||_2 - 1)^2, x_hat = e x_r + (1 - e) x_g.

  Args:
    critic: D over [B, L, V] distributions.
    real_one_hot, fake: float [B, L, V].
    seed: int32 [2] stateless seed of e ~ U(0, 1) per sample.
    epsilon: float32 [B, 1, 1] e to use instead of drawing it from `seed`.

  Returns:
    float32 [B].
  """
  batch = tf.shape(fake)[0]
  if epsilon is None:
    epsilon = tf.random.stateless_uniform([batch, 1, 1], seed)
  mixed = epsilon * real_one_hot + (1.0 - epsilon) * tf.stop_gradient(fake)
  with tf.GradientTape() as tape:
    tape.watch(mixed)
    scores = critic(mixed, training=True)
  gradients = tape.gradient(scores, mixed)
  norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=[1, 2]) + 1e-12)
  return tf.square(norms - 1.0)


def get_realism_losses(kind: str):
  """'rsgan' or 'wgan_gp' -> fn(real_scores, fake_scores) -> (L_D, L_G)."""
  if kind == 'rsgan':
    return rsgan_losses
  if kind == 'wgan_gp':
    return wgan_losses
  raise ValueError(f'Unknown realism loss {kind!r}; choose one of: '
                   f'{", ".join(REALISM_LOSSES)}.')


def kl_to_reference(logits, reference_logits, weights=None):
  """KL(p_theta || p_0) per sample over the rollout's steps.

    KL_i = sum_t sum_v p_theta(v | t) (log p_theta(v | t) - log p_0(v | t))

  Args:
    logits, reference_logits: float [B, K, V] (masked entries: both -1e9).
    weights: optional float [B, K] step weights.

  Returns:
    float32 [B] (summed over steps, divided by K).
  """
  log_p = tf.nn.log_softmax(logits)
  log_q = tf.nn.log_softmax(reference_logits)
  per_step = tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=-1)
  if weights is not None:
    per_step = per_step * weights
  return tf.reduce_mean(per_step, axis=-1)
