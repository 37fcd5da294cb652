"""One thread for the judges' many small numeric calls.

The reports call scikit-learn's OpenMP code (gradient-boosted trees, the
realism gate's neighbour search) and BLAS / LAPACK (the neighbour search's
distances, the Fréchet bootstrap's 68 x 68 eigenvalues, 200 times a row)
thousands of times on small inputs. Their parallel regions gain nothing
from threads and stall when other threads hold the cores (TensorFlow's, a
second test worker's, a Jupyter kernel's). Measured on 2 cores: the tiny
evaluator's training 10.1 s -> 6.7 s in a process and 177 s -> 5 s in a
notebook kernel (OpenMP); one report row's Fréchet distance 3.1 s -> 0.34 s
beside two busy processes, the same idle (LAPACK; BENCHMARKS.md, "The
Fréchet distance with shrinkage").
"""

import threadpoolctl


def one_thread():
  """A context in which OpenMP, BLAS and LAPACK (scikit-learn's, numpy's,
  scipy's) run on one thread."""
  return threadpoolctl.threadpool_limits(limits=1)
