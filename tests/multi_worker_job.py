r"""One process of a tests/test_multi_worker.py run (a worker, or the baseline).

  TF_CONFIG=... python -m tests.multi_worker_job --data_dir=D --model_dir=M \
      --phase=mle --steps=4
  ... --phase=all --steps=4 --adv_steps=3 --classifier_dir=C  # both stages

With TF_CONFIG set it trains under MultiWorkerMirroredStrategy, otherwise in
one process. It trains the `tiny` config without dropout in the generator and the
critic (dropout masks are per replica, so only a dropout-free run can equal
one process exactly) and at Gumbel-softmax temperature 1 (at 0.1 the
judges' soft inputs amplify the float round-off of per-replica matmul
shapes tenfold),
logging every step to TensorBoard and checkpointing every 2 steps, through
the same run_lib and genre_stages functions as genre_gan_train, and exits
as the console scripts do (one line on a lost worker).
"""

import argparse
import dataclasses
import os
import sys

from absl import flags
from absl import logging

from genre_transformer_gan import configs
from genre_transformer_gan import datasets
from genre_transformer_gan.scripts import script_utils
from genre_transformer_gan.training import genre_stages
from genre_transformer_gan.training import run_lib
from genre_transformer_gan.training import strategies


def tiny_config(clip_norm):
  config = configs.without_dropout(configs.get_config('tiny'))
  return dataclasses.replace(
      config,
      train=dataclasses.replace(config.train, log_every=1, checkpoint_every=2,
                                clip_norm=clip_norm),
      adversarial=dataclasses.replace(
          config.adversarial, log_every=1, checkpoint_every=2,
          eval_every=1000, clip_norm=clip_norm, batch_size=4,
          mle_batch_size=4, sample_len=8, primer_len=4,
          initial_temperature=1.0, final_temperature=1.0))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--data_dir', required=True)
  parser.add_argument('--model_dir', required=True)
  parser.add_argument('--phase', choices=['mle', 'all'])
  parser.add_argument('--steps', type=int, required=True, help='MLE steps.')
  parser.add_argument('--adv_steps', type=int, help='--phase=all: then the '
                      'adversarial stage (from that MLE model) to this step.')
  parser.add_argument('--strategy', default='auto')
  parser.add_argument('--classifier_dir')
  parser.add_argument('--clip_norm', type=float, default=0.05)
  args = parser.parse_args()
  flags.FLAGS(sys.argv[:1])  # script_utils reads --verbose.
  logging.set_verbosity(logging.INFO)  # As the console scripts do.
  strategy_name = 'multi_worker' if os.environ.get('TF_CONFIG') else 'cpu'

  def run():
    config = tiny_config(args.clip_norm)
    builder = datasets.get_builder('corpus_genre/small',
                                   data_dir=args.data_dir, build=False)
    vocabulary = datasets.get_vocabulary(builder)
    strategy = strategies.get_strategy(strategy_name)
    result = run_lib.run_mle(config, builder, vocabulary, args.model_dir,
                             args.steps, strategy, eval_batches=3,
                             init_from='scratch')
    print('eval_nll', result['eval_nll'], flush=True)
    if args.phase == 'all':
      trainer = genre_stages.run_adversarial(
          config, builder, vocabulary, args.model_dir, 'folk',
          args.adv_steps, args.classifier_dir, strategy)
      print('adversarial_step', trainer.step, flush=True)

  return script_utils.run_main('multi_worker_job', run, sys.argv)


if __name__ == '__main__':
  sys.exit(main())
