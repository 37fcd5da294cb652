"""TFDS dataset builders of genre_transformer_gan (importing registers them)."""

from tfds_builders.corpus_genre import corpus_genre_dataset_builder
from tfds_builders.lakh_genre import lakh_genre_dataset_builder
from tfds_builders.midi_folders import midi_folders_dataset_builder
