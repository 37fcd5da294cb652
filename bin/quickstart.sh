#!/usr/bin/env bash
# The README's quick start: install, then dataset -> the shipped frozen
# classifier and discriminator -> the shipped pretrained generator + 100
# MLE steps -> the genre stage (classical: 100 MLE steps on it; folk: then
# the GAN stage) -> samples + evaluation report (classical: 6.5 min on 2
# CPU cores, BENCHMARKS.md), then MIDI, WAV and piano rolls to listen to in
# samples/<genre>/. Usage: bin/quickstart.sh [genre]
set -euo pipefail
cd "$(dirname "$0")/.."
genre="${1:-classical}"
pip install .
genre_gan_train --genre="${genre}"
genre_gan_generate --model_dir=runs/small --genre="${genre}" \
  --output_dir="samples/${genre}"
