"""Beam builders run locally, offline, unless the user chooses a runner.

Beam's default runner (`DirectRunner`, 2.77) first tries its Prism runner,
which it downloads from GitHub: offline, every build logs a failed download
before Beam falls back to its FnApiRunner. TFDS also prints a warning banner
when neither a runner nor pipeline options were given. So when a build names
no runner (no `runner=` in --beam_pipeline_options, no
`DownloadConfig.beam_runner`), the package's Beam builders pick the
FnApiRunner themselves; it still honours `direct_num_workers` and
`direct_running_mode`. A runner the user names is used as named.
"""

import dataclasses

import tensorflow_datasets as tfds


def runner_chosen(download_config) -> bool:
  """True when `download_config` names a Beam runner (object or option)."""
  if download_config is None:
    return False
  if download_config.beam_runner is not None:
    return True
  options = download_config.beam_options
  if options is None:
    return False
  from apache_beam.options import pipeline_options  # pylint: disable=import-outside-toplevel
  return options.view_as(pipeline_options.StandardOptions).runner is not None


def local_runner_unless_chosen(download_config):
  """`download_config` (or a default one) with FnApiRunner if none chosen."""
  download_config = download_config or tfds.download.DownloadConfig()
  if runner_chosen(download_config):
    return download_config
  from apache_beam.runners.portability.fn_api_runner import fn_runner  # pylint: disable=import-outside-toplevel
  return dataclasses.replace(download_config,
                             beam_runner=fn_runner.FnApiRunner())


class LocalBeamRunnerMixin:
  """Put first in a Beam builder's bases: builds use FnApiRunner by default."""

  def _uses_beam(self) -> bool:
    """Whether this builder (config) generates with Beam."""
    return True

  def download_and_prepare(self, *, download_config=None, **kwargs):
    if self._uses_beam():
      download_config = local_runner_unless_chosen(download_config)
    return super().download_and_prepare(download_config=download_config,
                                        **kwargs)
