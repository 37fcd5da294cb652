"""Training: MLE, the frozen genre classifier and the adversarial stage,
under any tf.distribute strategy, on one loop (loop.py); sequence.py runs
them in `genre_gan_train`'s order, run_lib.py offers each stage alone."""
