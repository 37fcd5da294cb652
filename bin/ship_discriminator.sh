#!/usr/bin/env bash
# The frozen classifiers shipped in genre_transformer_gan/pretrained/: the
# genre classifier of `small` trained on the embedded dataset
# (corpus_genre/small), then the K+1 discriminator grown from its float16
# weights on samples of the shipped `small` generator; float16 weights and
# a card each (small_classifier.*, small_classifier_generated.*).
# Reproducible: same seed, same data order. Run it again after
# bin/pretrain_full.sh: the K+1 one learns that generator's samples. To
# keep the genre classifier trained here and grow only the K+1 one, run the
# command below with --export_only and the same --output.
# Usage: bin/ship_discriminator.sh [output_dir]
set -euo pipefail
cd "$(dirname "$0")/.."
output="${1:-runs/ship_discriminator}"
if [ -e "${output}" ]; then
  echo "${output} exists: delete it (rm -r ${output}) or pass another" \
    "output_dir." >&2
  exit 1
fi
genre_classifier_train --config=small --dataset=corpus_genre/small --seed=0 \
  --output="${output}" --export_pretrained=genre_transformer_gan/pretrained
