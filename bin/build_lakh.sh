#!/usr/bin/env bash
# Builds lakh_genre from a manual_dir holding lmd_matched.tar.gz (or
# lmd_matched/), match_scores.json and a genre label file, with Apache Beam
# on all local cores. Usage:
#   bin/build_lakh.sh MANUAL_DIR [CONFIG] [DATA_DIR]
#   CONFIG: tagtraum_cd2c (default) | tagtraum_cd1 | tagtraum_cd2 | magd,
#           or midi_folders for your own MANUAL_DIR/<genre>/**/*.mid
set -euo pipefail
manual_dir=${1:?usage: bin/build_lakh.sh MANUAL_DIR [CONFIG] [DATA_DIR]}
config=${2:-tagtraum_cd2c}
data_dir=${3:-$HOME/tensorflow_datasets}
workers=$(python -c 'import os; print(os.cpu_count())')
dataset="lakh_genre/${config}"
if [[ "${config}" == midi_folders ]]; then dataset=midi_folders; fi
exec genre_gan_dataset --dataset="${dataset}" \
  --manual_dir="${manual_dir}" --data_dir="${data_dir}" \
  --beam_pipeline_options="direct_num_workers=${workers},direct_running_mode=multi_processing"
