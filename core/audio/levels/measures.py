"""Measuring what normalization needs (peak, RMS, loudness) block by block, the same however a signal is cut.

Sums of squares depend on the order of the additions, so the blocks a caller
passes are re-cut into chunks of ``CHUNK_FRAMES`` aligned on the start of the
signal, and every sum runs over those chunks: ``audio_write`` of a whole array
and ``audio_write_stream`` of its blocks measure bit-identical levels, hence
apply bit-identical gains. The peak (a maximum) needs no such care.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..arrays import peak_of
from .streaming_loudness import LoudnessMeter

CHUNK_FRAMES = 1 << 16


@dataclass(frozen=True)
class Levels:
    """What a signal measured: ``loudness`` in LUFS (None unless asked for; NaN under one 400 ms block)."""

    frames: int
    peak: float
    mono_rms: float
    rms: float
    loudness: float | None


class LevelMeter:
    """Feed float32 ``[C, n]`` blocks with ``add`` (non-finite samples raise); ``levels()`` when done."""

    def __init__(self, channels: int, sample_rate: int | None = None, loudness: bool = False,
                 what: str = "wav") -> None:
        self._channels = channels
        self._loudness = LoudnessMeter(sample_rate, channels) if loudness else None
        self._what = what
        self._frames = 0
        self._peak = 0.0
        self._mono_squares = 0.0
        self._squares = 0.0
        self._carry: list[np.ndarray] = []
        self._carried = 0

    def add(self, block: np.ndarray) -> None:
        length = block.shape[1]
        if not length:
            return
        self._peak = max(self._peak, peak_of(block, self._what))
        self._frames += length
        offset = 0
        if self._carried:
            offset = min(length, CHUNK_FRAMES - self._carried)
            self._carry_part(block[:, :offset])
        while length - offset >= CHUNK_FRAMES:
            self._measure(block[:, offset:offset + CHUNK_FRAMES])
            offset += CHUNK_FRAMES
        if offset < length:
            self._carry_part(block[:, offset:].copy())

    def levels(self) -> Levels:
        if self._carried:
            self._measure(np.concatenate(self._carry, axis=1))
            self._carry, self._carried = [], 0
        frames = max(self._frames, 1)  # no samples: levels of 0
        return Levels(frames=self._frames, peak=self._peak,
                      mono_rms=math.sqrt(self._mono_squares / frames),
                      rms=math.sqrt(self._squares / (frames * self._channels)),
                      loudness=None if self._loudness is None else self._loudness.integrated_loudness())

    def _carry_part(self, part: np.ndarray) -> None:
        self._carry.append(part)
        self._carried += part.shape[1]
        if self._carried == CHUNK_FRAMES:
            self._measure(np.concatenate(self._carry, axis=1))
            self._carry, self._carried = [], 0

    def _measure(self, chunk: np.ndarray) -> None:
        self._mono_squares += float(np.sum(np.square(chunk.mean(axis=0, dtype=np.float64))))
        self._squares += float(np.sum(np.square(chunk, dtype=np.float64)))
        if self._loudness is not None:
            self._loudness.add(chunk)
