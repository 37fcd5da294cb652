#!/usr/bin/env bash
# The README's quick start: install, build the embedded default dataset and
# pre-train the generator on its classical music (~15 min on 2 CPU cores).
set -euo pipefail
cd "$(dirname "$0")/.."
pip install . && genre_gan_train --phase=mle --config=small --genre=classical --mle_steps=400
