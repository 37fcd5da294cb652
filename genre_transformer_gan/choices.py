"""The values run settings may take (and a default a flag shows), in one
module that loads no TensorFlow.

The modules that act on a setting check it against these (each keeps its
name for it, e.g. `audio.SYNTHS`), and the console scripts define their
enum flags from them: so `genre_gan_train --help`, or a bad flag, answers
before TensorFlow is imported (tests/test_cli_errors.py).
"""

# training/sequence.py: the stages genre_gan_train runs, and how it tunes
# the target genre after MLE on all genres.
PHASES = ('all', 'mle', 'adversarial')
GENRE_STAGES = ('adversarial', 'mle', 'mle_adversarial')
# training/strategies.py: tf.distribute strategies by name.
STRATEGIES = ('auto', 'cpu', 'mirrored', 'tpu', 'multi_worker')
# training/precision.py: the MLE stage's precision ('auto': bfloat16 where
# the CPU has bfloat16 instructions, or on a TPU).
PRECISIONS = ('auto', 'float32', 'mixed_bfloat16')
# training/gumbel.py: what the generator reads back from its own samples.
FEEDBACKS = ('soft', 'hard', 'straight_through')
# models/pretrained.py: where a run's generator starts.
INIT_FROM = ('auto', 'pretrained', 'scratch')
# models/shipped_classifier.py: where the frozen genre classifier comes from.
CLASSIFIER_SOURCES = ('auto', 'shipped', 'train')
# generation/audio.py: how MIDI becomes a WAV ('none': no audio).
SYNTHS = ('auto', 'fluidsynth', 'soundfont', 'sine', 'none')
DEFAULT_SAMPLE_RATE = 22050  # Hz
# evaluation/report.py: the fewest held-out real crops a reference row holds.
MIN_REFERENCE = 20
