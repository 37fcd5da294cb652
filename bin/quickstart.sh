#!/usr/bin/env bash
# The README's quick start: install, then dataset -> frozen classifier -> MLE
# -> adversarial fine-tuning for one genre -> samples + evaluation report
# (~25 min on 2 CPU cores). Usage: bin/quickstart.sh [genre]
set -euo pipefail
cd "$(dirname "$0")/.."
pip install . && genre_gan_train --genre="${1:-classical}"
