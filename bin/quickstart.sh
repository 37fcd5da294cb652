#!/usr/bin/env bash
# Installs the package and builds + inspects the embedded default dataset,
# writing a few decoded examples to ./examples to listen to.
set -euo pipefail
cd "$(dirname "$0")/.."
pip install . && genre_gan_dataset --dataset=corpus_genre/small --export_dir=examples
