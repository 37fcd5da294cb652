#!/usr/bin/env bash
# The README's quick start: install, then dataset -> the shipped frozen
# classifier -> the shipped pretrained generator -> the genre stage (100
# MLE steps on the genre, its crops not transposed) -> samples +
# evaluation report (classical: 3 min 9 s on a 2-core AMD EPYC Zen 4, as
# README.md says; BENCHMARKS.md has the other CPUs), then MIDI, WAV and
# piano rolls to listen to in samples/<genre>/.
# Usage: bin/quickstart.sh [genre]
set -euo pipefail
cd "$(dirname "$0")/.."
genre="${1:-classical}"
pip install .
genre_gan_train --genre="${genre}"
genre_gan_generate --model_dir=runs/small --genre="${genre}" \
  --output_dir="samples/${genre}"
