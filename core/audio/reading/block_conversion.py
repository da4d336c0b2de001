"""Converting audio block by block to another rate and channel count, exactly as ``convert_audio`` does at once.

The channels follow ``convert_audio_channels`` (mean to mono, repeat mono,
keep the first N), in the same order as ``convert_audio`` (fewer channels
before resampling, more after); the rate goes through soxr's streaming
resampler (``soxr.ResampleStream``, "HQ"), whose output does not depend on how
the input is cut: the blocks joined equal ``convert_audio`` of the whole
signal bit for bit (tests/writers/test_block_reading.py).
"""

from __future__ import annotations

import numpy as np

from .conversion import convert_audio_channels, import_audio_module


class BlockConverter:
    """Feeds ``[C, n]`` float32 blocks at ``from_rate`` and returns them at ``to_rate`` with ``to_channels``."""

    def __init__(self, from_rate: int, to_rate: int, from_channels: int, to_channels: int) -> None:
        convert_audio_channels(np.zeros((from_channels, 1), np.float32), to_channels)  # refuses what it cannot do
        self.to_channels = to_channels
        self._mix_first = to_channels <= from_channels
        self._resampler = None
        if from_rate != to_rate:
            soxr = import_audio_module("soxr")
            channels = to_channels if self._mix_first else from_channels
            self._resampler = soxr.ResampleStream(from_rate, to_rate, channels, dtype="float32", quality="HQ")

    def convert(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        """``block [C, n]`` converted; a resampler holds some samples back until the ``last`` call."""
        if self._mix_first:
            return self._resample(convert_audio_channels(block, self.to_channels), last)
        return convert_audio_channels(self._resample(block, last), self.to_channels)

    def _resample(self, block: np.ndarray, last: bool) -> np.ndarray:
        if self._resampler is None:
            return block
        out = self._resampler.resample_chunk(np.ascontiguousarray(block.T), last=last)
        return np.ascontiguousarray(out.T)
