"""genre_transformer_gan: genre-conditioned symbolic music generation."""

import os

from setuptools import find_packages
from setuptools import setup

_HERE = os.path.dirname(os.path.abspath(__file__))
_VERSION = {}
with open(os.path.join(_HERE, 'genre_transformer_gan', 'version.py')) as f:
  exec(f.read(), _VERSION)  # pylint: disable=exec-used

REQUIRED_PACKAGES = [
    'absl-py',
    'apache-beam',       # `tfds build` and the Beam builder configs
    'etils[epath]',
    'matplotlib',
    # WAV rendering with no system library; its wheels exist for these
    # platforms only (elsewhere audio.py renders with FluidSynth, else
    # sines, and says so).
    'midirenderer; (sys_platform == "linux" and platform_machine == '
    '"x86_64") or sys_platform == "darwin" or sys_platform == "win32"',
    'mido>=1.3.0,<1.4',        # data/smf_reader.py mirrors these two
    'mlcroissant',       # imported by the `tfds` command
    'music21',           # its corpus is the embedded default dataset
    'note-seq',
    'numpy',
    'packaging',
    'pretty_midi>=0.2.11,<0.3',  # (MIRRORED_VERSIONS there)
    'pyfluidsynth',      # WAV rendering (needs the system's libfluidsynth)
    'scikit-learn',      # the independent genre evaluator
    'scipy',
    'skops',             # the evaluator saved without pickle
    'tensorflow>=2.16',  # Keras 3
    'tensorboard',       # tf.summary needs it
    'tensorflow-datasets',
    'threadpoolctl',     # the judges on one thread (evaluation/threads.py)
]

EXTRAS_REQUIRE = {
    # pytest-xdist: the tiers run in two processes (-n 2); dill:
    # tfds.testing; nbclient, nbformat, ipykernel: the notebook tests;
    # muspy: the oracle of evaluation/muspy_metrics.py.
    'test': ['pytest', 'pytest-xdist', 'dill', 'nbclient', 'nbformat',
             'ipykernel', 'muspy'],
}

# One entry per command; the command name is the module name under
# genre_transformer_gan/scripts/.
CONSOLE_SCRIPTS = [
    'genre_classifier_train',
    'genre_gan_dataset',
    'genre_gan_evaluate',
    'genre_gan_generate',
    'genre_gan_train',
]

setup(
    name='genre_transformer_gan',
    version=_VERSION['__version__'],
    description='Genre-conditioned Music Transformer with a Gumbel-softmax '
    'GAN against a frozen genre classifier (TensorFlow / Keras 3).',
    long_description=open(os.path.join(_HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache 2.0',
    python_requires='>=3.10',
    packages=find_packages(include=['genre_transformer_gan*',
                                    'tfds_builders*']),
    package_data={'tfds_builders': ['*/README.md', '*/CITATIONS.bib'],
                  # The pretrained `small` generator (bin/pretrain_small.sh,
                  # bin/pretrain_full.sh), its classifiers, and music21's
                  # renderings of corpus_genre/small's scores
                  # (data/shipped_renderings.py, bin/ship_renderings.sh).
                  'genre_transformer_gan': ['pretrained/*.npz',
                                            'pretrained/*.json',
                                            'pretrained/*.md',
                                            'data/*.npz']},
    install_requires=REQUIRED_PACKAGES,
    extras_require=EXTRAS_REQUIRE,
    entry_points={
        'console_scripts': [
            f'{name} = genre_transformer_gan.scripts.{name}:console_entry_point'
            for name in CONSOLE_SCRIPTS
        ],
    },
)
