#!/usr/bin/env bash
# The pretrained `small` generator shipped in genre_transformer_gan/pretrained/,
# second and third parts: the generator of bin/pretrain_small.sh (2500 steps
# on the embedded dataset) continued by MLE on corpus_genre/full (13,934
# pieces), genres drawn with probability proportional to (train pieces) **
# balance (0, every genre equally, won on validation): first `stretch_steps`
# steps with Magenta's time stretch and transposition, then `plain_steps`
# more without augmentation (stretching moves the onsets of scores off
# their grid) into <model_dir>_plain, keeping every checkpoint (the NLL
# curve: bench/bench_pretrain.py --score_run=model_dir), then float16
# weights and a model card (small.npz, small.json) with its NLL per genre
# on the embedded dataset's validation and test splits.
# Stopped (Ctrl-C, a session's end), the same command resumes from the last
# checkpoint and reaches the same weights: it may be run in parts.
# Run it after bin/pretrain_small.sh, which writes the generator it starts
# from (BENCHMARKS.md, "Pretraining on the full corpus").
# A fourth part, `token_steps` more steps with every token of a genre drawn
# alike (--length_balance=1: a quartet movement six times a chorale's
# length is drawn six times as often) into <model_dir>_tokens, runs when
# token_steps > 0.
# Usage: bin/pretrain_full.sh [stretch_steps] [plain_steps] [balance] [model_dir] [token_steps]
set -euo pipefail
cd "$(dirname "$0")/.."
stretch_steps="${1:-5000}"
plain_steps="${2:-1000}"
balance="${3:-0}"
model_dir="${4:-runs/pretrain_full}"
token_steps="${5:-0}"
# Each part its own model_dir: a checkpoint's data position belongs to its
# input pipeline. Each starts from the previous part's export.
part() {
  genre_gan_train --config=small --phase=mle --dataset=corpus_genre/full \
    --genre_balance="${balance}" --init_from=pretrained --seed=0 \
    --keep_checkpoints=1000 --export_pretrained=genre_transformer_gan/pretrained \
    "$@"
}
part --augment=stretch --mle_steps="${stretch_steps}" --model_dir="${model_dir}"
part --augment=none --mle_steps="${plain_steps}" --model_dir="${model_dir}_plain"
if [ "${token_steps}" -gt 0 ]; then
  part --length_balance=1 --augment=none --mle_steps="${token_steps}" \
    --model_dir="${model_dir}_tokens"
fi
