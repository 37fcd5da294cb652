#!/usr/bin/env bash
# music21's renderings of corpus_genre/small's scores, shipped in
# genre_transformer_gan/data/corpus_genre_small_renderings.npz so that the
# embedded dataset builds without rendering (data/shipped_renderings.py).
# Run it after a music21 upgrade or a change of corpus_lib.RENDERING_VERSION
# (the shipped entries' keys then no longer match, and builds render every
# score): builds the dataset in a fresh data_dir, where music21 renders
# what is not shipped under the new keys, and exports those renderings.
# Usage: bin/ship_renderings.sh [data_dir]
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir="${1:-runs/ship_renderings}"
if [ -e "${data_dir}" ]; then
  echo "${data_dir} exists: delete it (rm -r ${data_dir}) or pass another" \
    "data_dir." >&2
  exit 1
fi
genre_gan_dataset --dataset=corpus_genre/small --data_dir="${data_dir}" \
  --check_duplicates=false \
  --export_renderings=genre_transformer_gan/data/corpus_genre_small_renderings.npz
