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

Beside them: configs.py (named configs tiny / small / base), run_layout.py
(where a run's files live), scripts/ (the console commands) and testing/
(generated MIDI for tests and benchmarks).
"""


def __getattr__(name):
  if name == 'generate':
    from genre_transformer_gan.generation import api  # pylint: disable=import-outside-toplevel
    return api.generate
  raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
