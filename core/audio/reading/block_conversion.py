"""Converting audio block by block to another rate and channel count, exactly as ``convert_audio`` does at once.

The channels follow ``convert_audio_channels`` (mean to mono, repeat mono,
keep the first N). With soxr (the default), in the same order as
``convert_audio`` (fewer channels before resampling, more after), through
soxr's streaming resampler (``soxr.ResampleStream``, "HQ"), whose output does
not depend on how the input is cut. With julius, as audiocraft does it
(resampled first, then the channels, in torch), through ``JuliusStream``: the
same strided convolution as ``julius.resample_frac``, frame by frame. Either
way the blocks joined equal ``convert_audio`` of the whole signal bit for bit
(tests/writers/test_block_reading.py, tests/writers/test_resamplers.py).
"""

from __future__ import annotations

import numpy as np

from .conversion import (DEFAULT_RESAMPLER, check_resampler, convert_audio_channels, import_audio_module,
                         julius_rates, torch_audio_channels)


class BlockConverter:
    """Feeds ``[C, n]`` float32 blocks at ``from_rate`` and returns them at ``to_rate`` with ``to_channels``."""

    def __init__(self, from_rate: int, to_rate: int, from_channels: int, to_channels: int,
                 resampler: str = DEFAULT_RESAMPLER) -> None:
        convert_audio_channels(np.zeros((from_channels, 1), np.float32), to_channels)  # refuses what it cannot do
        self.to_channels = to_channels
        self.resampler = check_resampler(resampler)
        self._mix_first = to_channels <= from_channels and resampler == "soxr"
        self._resampler = None
        if resampler == "julius":
            if julius_rates(from_rate, to_rate)[0] != julius_rates(from_rate, to_rate)[1]:
                self._resampler = JuliusStream(from_rate, to_rate)
        elif from_rate != to_rate:
            soxr = import_audio_module("soxr")
            channels = to_channels if self._mix_first else from_channels
            self._resampler = soxr.ResampleStream(from_rate, to_rate, channels, dtype="float32", quality="HQ")

    def convert(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        """``block [C, n]`` converted; a resampler holds some samples back until the ``last`` call."""
        if self._mix_first:
            return self._resample(convert_audio_channels(block, self.to_channels), last)
        resampled = self._resample(block, last)
        if self.resampler == "julius":
            import torch

            return np.ascontiguousarray(torch_audio_channels(torch.from_numpy(resampled), self.to_channels).numpy())
        return convert_audio_channels(resampled, self.to_channels)

    def _resample(self, block: np.ndarray, last: bool) -> np.ndarray:
        if self._resampler is None:
            return block
        if isinstance(self._resampler, JuliusStream):
            return self._resampler.resample_chunk(block, last=last)
        out = self._resampler.resample_chunk(np.ascontiguousarray(block.T), last=last)
        return np.ascontiguousarray(out.T)


class JuliusStream:
    """``julius.resample_frac`` of ``[C, n]`` blocks fed in order: the blocks out, joined, equal it on the whole.

    julius pads the signal (``width`` copies of the first sample before, ``width +
    old`` of the last after, in rates divided by their GCD) and convolves it with
    ``new`` kernels at a stride of ``old``: frame ``f`` (``new`` output samples)
    reads padded samples ``f * old`` to ``f * old + K``. A frame is computed as
    soon as its window lies in the samples seen; the last ones, which read the
    end padding, and a few samples held back (the length julius keeps is
    ``floor`` of a float32, which may land a sample off), wait for ``last``.
    """

    #: output samples held back until the end, more than float32's rounding of julius's length can move it
    HOLD_BACK = 16

    def __init__(self, from_rate: float, to_rate: float) -> None:
        import torch

        julius = import_audio_module("julius")
        self._torch = torch
        self._resample = julius.ResampleFrac(*julius_rates(from_rate, to_rate))
        self._old, self._new = self._resample.old_sr, self._resample.new_sr
        self._width = self._resample._width
        self._window = self._resample.kernel.shape[-1]
        self._buffer = None  # padded samples from frame ``self._frames`` on, [C, 1, n]
        self._pending = None  # output samples computed and not yet given, [C, n]
        self._frames = 0  # frames computed
        self._given = 0  # output samples given
        self._length = 0  # input samples seen

    def resample_chunk(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        torch = self._torch
        samples = torch.from_numpy(np.ascontiguousarray(block, dtype=np.float32))[:, None]
        if samples.shape[-1]:
            if self._buffer is None:  # julius's left padding: the first sample repeated
                samples = torch.cat([samples[..., :1].expand(-1, -1, self._width), samples], dim=-1)
                self._buffer = samples
            else:
                self._buffer = torch.cat([self._buffer, samples], dim=-1)
            self._length += block.shape[-1]
        if self._buffer is None:  # nothing seen yet
            return np.zeros((block.shape[0], 0), np.float32)
        if last:  # julius's right padding: the last sample repeated
            tail = self._buffer[..., -1:].expand(-1, -1, self._width + self._old)
            self._buffer = torch.cat([self._buffer, tail], dim=-1)
        self._convolve()
        if last:
            length = int(torch.floor(torch.as_tensor(self._new * self._length / self._old)))  # julius's own
            keep = length - self._given
        else:
            keep = min(self._pending.shape[-1], self._new * self._length // self._old - self.HOLD_BACK - self._given)
        keep = max(0, keep)
        out, self._pending = self._pending[:, :keep], self._pending[:, keep:]
        self._given += keep
        return np.ascontiguousarray(out.numpy())

    def _convolve(self) -> None:
        torch = self._torch
        available = self._buffer.shape[-1]
        frames = (available - self._window) // self._old + 1 if available >= self._window else 0
        channels = self._buffer.shape[0]
        if frames > 0:
            window = self._buffer[..., : (frames - 1) * self._old + self._window]
            with torch.no_grad():
                ys = torch.nn.functional.conv1d(window, self._resample.kernel, stride=self._old)
            computed = ys.transpose(1, 2).reshape(channels, -1)
            self._buffer = self._buffer[..., frames * self._old:]
            self._frames += frames
        else:
            computed = torch.zeros((channels, 0))
        self._pending = computed if self._pending is None else torch.cat([self._pending, computed], dim=-1)
