"""One thread for the judges' many small numeric calls.

The reports call scikit-learn's OpenMP code (gradient-boosted trees, the
realism gate's neighbour search) and LAPACK (the Fréchet bootstrap's 68 x
68 eigenvalues, 200 times a row) thousands of times on small inputs. Their
parallel regions gain nothing from threads and stall when other threads
hold the cores (TensorFlow's, a second test worker's, a Jupyter kernel's).
Measured on 2 cores: the tiny evaluator's training 10.1 s -> 6.7 s in a
process and 177 s -> 5 s in a notebook kernel (OpenMP); one Fréchet
distance with its bootstrap 1.1-1.4 s -> 0.43-0.52 s while another
process used both cores (OpenBLAS, BENCHMARKS.md "Test tiers").
"""

import threadpoolctl


def one_openmp_thread():
  """A context in which scikit-learn's OpenMP code runs on one thread."""
  return threadpoolctl.threadpool_limits(limits=1, user_api='openmp')


def one_blas_thread():
  """A context in which BLAS and LAPACK (numpy's, scipy's) use one thread."""
  return threadpoolctl.threadpool_limits(limits=1, user_api='blas')
