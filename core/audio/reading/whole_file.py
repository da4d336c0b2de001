"""``audio_read``: a whole file (or a segment of it) in memory, as audiocraft reads it.

It joins ``read_blocks``' blocks at the file's own rate and channels, so a
file has one decoding path whether it is read at once or streamed, then
converts with ``convert_audio`` (re-exported here for callers that import
both), whose samples equal the streaming conversion's.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path

import numpy as np

from .blocks import AudioBlocks
from .conversion import DEFAULT_RESAMPLER, check_resampler, convert_audio, convert_audio_channels, resample

#: Decoded in pieces this long and joined: the size of a piece does not change the samples.
_READ_BLOCK_SECONDS = 30.0


def audio_read(path: str | Path, seek_time: float = 0.0, duration: float = -1.0, pad: bool = False,
               sample_rate: int | None = None, channels: int | None = None,
               resampler: str = DEFAULT_RESAMPLER) -> tuple[np.ndarray, int]:
    """``(wav [C, T] float32, sample_rate)`` read from ``path``.

    ``seek_time``, ``duration`` (seconds, -1 for all) and ``pad`` (zero-pad to
    ``duration``) are audiocraft's, and so is the arithmetic: the segment starts at
    frame ``int(sr * seek_time)`` and holds ``int(sr * duration)`` frames at most; a
    seek at or past the end gives ``[C, 0]`` (``[C, int(sr * duration)]`` zeros with
    ``pad=True``). ``sample_rate`` and ``channels`` convert the audio with
    ``convert_audio`` (with ``resampler``: "soxr", or "julius" for audiocraft's
    numbers), and the rate returned is then ``sample_rate``. A file that cannot be
    read raises ``AudioReadError`` naming it.
    """
    check_resampler(resampler)
    if sample_rate is not None and sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive number of Hz, got {sample_rate!r}; "
                         "pass None to keep the file's rate")
    if channels is not None and channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels!r}; pass None to keep the file's channels")
    for name, value in (("seek_time", seek_time), ("duration", duration)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    if seek_time < 0:
        raise ValueError(f"seek_time must be at least 0 s, got {seek_time!r}")

    def audiocraft_frames(rate: int) -> tuple[int, int | None]:
        first = int(rate * seek_time)  # audiocraft truncates, it does not round
        return first, first + int(rate * duration) if duration > 0 else None

    blocks = AudioBlocks(path, None, None, _READ_BLOCK_SECONDS, frame_span=audiocraft_frames)
    rate, source_channels = blocks.source_rate, blocks.source_channels
    parts = list(blocks)
    wav = np.concatenate(parts, axis=1) if parts else np.zeros((source_channels, 0), np.float32)
    if pad and duration > 0:
        missing = int(rate * duration) - wav.shape[1]
        if missing > 0:
            wav = np.pad(wav, ((0, 0), (0, missing)))
    if sample_rate is not None or channels is not None:
        target_rate = rate if sample_rate is None else sample_rate
        wav = convert_audio(wav, rate, target_rate, source_channels if channels is None else channels, resampler)
        rate = target_rate
    return wav, rate


__all__ = ["audio_read", "convert_audio", "convert_audio_channels", "resample"]
