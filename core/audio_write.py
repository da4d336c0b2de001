"""Transitional alias of ``codecreg.audio_writing``: import ``audio_write`` from there or from ``codecreg``.

A submodule named like the function it holds makes ``codecreg.audio_write``
the module once the submodule is imported, so the function lives in
``audio_writing``. Remove this file once no module imports ``.audio_write``.
"""

from .audio_writing import audio_write

__all__ = ["audio_write"]
