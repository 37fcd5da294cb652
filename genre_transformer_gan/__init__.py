"""genre_transformer_gan: genre-conditioned symbolic music generation.

The stages, each a subpackage that imports only the stages before it
(tests/test_import_layers.py):

  data/        MIDI -> event tokens (note_seq's performance encoding + a
               genre token), TFDS builders' logic, tf.data pipelines
  models/      generators (Music Transformer, LSTM, WaveNet), the genre
               classifier and critic, loading and the shipped pretrained one
  generation/  cached sampling; tokens -> MIDI / WAV / piano-roll PNG
  evaluation/  the independent evaluator, realism and diversity measures,
               reports beside real music and negatives
  training/    MLE, classifier and adversarial trainers on one loop
               (loop.py); sequence.py runs `genre_gan_train`'s whole sequence

The one-call API, `genre_transformer_gan.generate(genre='folk', seconds=30)`
(generation/api.py), uses the generator shipped inside the package; it is
imported on first use, so `import genre_transformer_gan` stays light.

Beside them: configs.py (named configs tiny / small / base), choices.py
(the values run settings and enum flags take, without TensorFlow),
run_layout.py (where a run's files live), scripts/ (the console commands)
and testing/ (generated MIDI for tests and benchmarks).

Importing the package turns on TensorFlow's oneDNN CPU kernels unless
TF_ENABLE_ONEDNN_OPTS is already set (TensorFlow only turns them on by
itself on CPUs with AVX512-VNNI, AVX512-BF16 or AMX). On an AVX2-only CPU
(AMD EPYC Zen 2) they train `small` 1.3-1.6x faster in float32
(BENCHMARKS.md, "oneDNN on an AVX2 CPU"). It must happen before
TensorFlow is imported; TF_ENABLE_ONEDNN_OPTS=0 keeps them off.
"""

import os

os.environ.setdefault('TF_ENABLE_ONEDNN_OPTS', '1')


def __getattr__(name):
  if name == 'generate':
    from genre_transformer_gan.generation import api  # pylint: disable=import-outside-toplevel
    return api.generate
  raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
