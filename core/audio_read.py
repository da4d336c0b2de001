"""Transitional alias of ``codecreg.audio_reading``: import from there or from ``codecreg``.

A submodule named like the function it holds makes ``codecreg.audio_read``
the module once the submodule is imported, so the functions live in
``audio_reading``. Remove this file once no module imports ``.audio_read``.
"""

from .audio_reading import audio_read, convert_audio, convert_audio_channels, resample

__all__ = ["audio_read", "convert_audio", "convert_audio_channels", "resample"]
