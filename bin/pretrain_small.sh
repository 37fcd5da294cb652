#!/usr/bin/env bash
# The pretrained `small` generator shipped in genre_transformer_gan/pretrained/:
# MLE on every genre of the embedded dataset (corpus_genre/small) from
# scratch, then float16 weights and a model card (small.npz, small.json).
# Reproducible: same seed, same data order; about 30 min on 2 CPU cores
# with bfloat16 matmuls (BENCHMARKS.md, "The pretrained starting point").
# Usage: bin/pretrain_small.sh [steps] [model_dir]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-2500}"
model_dir="${2:-runs/pretrain_small}"
if [ -e "${model_dir}" ]; then
  echo "${model_dir} exists: training there would resume (or race) another" \
    "run, not train from scratch. Delete it (rm -r ${model_dir}) or pass" \
    "another model_dir." >&2
  exit 1
fi
genre_gan_train --config=small --phase=mle --init_from=scratch --seed=0 \
  --mle_steps="${steps}" --model_dir="${model_dir}" \
  --export_pretrained=genre_transformer_gan/pretrained
