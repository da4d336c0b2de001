"""What a codec declares to code long audio exactly, and the streams that run it.

A codec returns one of these from ``CompressionModel.coding_plan()``:

- ``StagedPlan``: its encoder and decoder as chains of stages (``stages.py``):
  convolution stacks with their context, recurrent layers with carried state;
- ``SegmentedPlan``: it codes fixed segments independently (``segments.py``).

``EncodeStream`` and ``DecodeStream`` run a plan over blocks of one item's audio or
codes; ``CompressionModel.encode``/``decode`` of first-party codecs are these
streams fed the whole input, so one code path serves short input, long input
and real-time use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from .segments import SegmentedDecodeStream, SegmentedEncodeStream, SegmentLayout
from .stages import Stage, StageChain


@dataclass(frozen=True)
class StagedPlan:
    """``encoder``: audio ``[B, C, T]`` (steps_in = hop) -> codes ``[B, K, T']``;
    ``decoder``: codes -> audio ``[B, C, T' * hop]``."""

    encoder: list[Stage]
    decoder: list[Stage]
    hop: int


@dataclass(frozen=True)
class SegmentedPlan:
    """``encode_segment(x [B, C, n]) -> (codes [B, K, ceil(n / hop)], scale [B, 1] or None)``;
    ``decode_segment(codes, scale or None) -> audio [B, C, frames * hop]``."""

    layout: SegmentLayout
    encode_segment: Callable
    decode_segment: Callable


def chunk_frames(seconds: float | None, frame_rate: float) -> int | None:
    """Frames in a chunk of ``seconds`` (None or 0: no limit, one pass)."""
    return max(1, round(seconds * frame_rate)) if seconds else None


class EncodeStream:
    """Audio blocks ``[B, C, n]`` in, ``(codes [B, K, t], scale or None)`` blocks out, for one plan."""

    def __init__(self, plan: StagedPlan | SegmentedPlan, chunk: int | None):
        self.plan = plan
        if isinstance(plan, SegmentedPlan):
            self._stream = SegmentedEncodeStream(plan.layout, plan.encode_segment)
        else:
            self._stream = StageChain(plan.encoder, chunk)
        self.samples = 0

    def feed(self, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
        self.samples += x.shape[-1]
        return self._pairs(self._stream.feed(x))

    def finish(self, x: torch.Tensor | None = None) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
        """The rest, after the last block ``x`` if given (given whole: coded from the start in chunks)."""
        self.samples += 0 if x is None else x.shape[-1]
        if self.samples == 0:
            raise ValueError("no audio was given to encode (0 samples)")
        return self._pairs(self._stream.finish(x))

    def _pairs(self, out: list) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
        return list(out) if isinstance(self.plan, SegmentedPlan) else [(codes, None) for codes in out]


class DecodeStream:
    """Code blocks ``[B, K, t]`` (with their scale for a segmented plan) in, audio blocks out;
    with ``length`` the output ends there exactly."""

    def __init__(self, plan: StagedPlan | SegmentedPlan, chunk: int | None, length: int | None = None):
        self.plan = plan
        self.length = length
        if isinstance(plan, SegmentedPlan):
            self._stream = SegmentedDecodeStream(plan.layout, plan.decode_segment, length)
        else:
            self._stream = StageChain(plan.decoder, chunk)
        self.frames = 0
        self.emitted = 0

    def feed(self, codes: torch.Tensor, scale: torch.Tensor | None = None) -> list[torch.Tensor]:
        if isinstance(self.plan, SegmentedPlan):
            self.frames += codes.shape[-1]
            return self._cut(self._stream.feed(codes, scale))
        self._count(codes, scale)
        return self._cut(self._stream.feed(codes))

    def _count(self, codes: torch.Tensor, scale: torch.Tensor | None) -> None:
        if scale is not None:
            raise ValueError("this codec has no scale: decode its codes with scale=None")
        self.frames += codes.shape[-1]
        if self.length is not None and (self.frames - 1) * self.plan.hop >= self.length:
            raise ValueError(f"these codes hold more frames than {self.length} samples encode to "
                             f"({math.ceil(self.length / self.plan.hop)}); pass the length of the audio they "
                             "came from")

    def finish(self, codes: torch.Tensor | None = None, scale: torch.Tensor | None = None) -> list[torch.Tensor]:
        """The rest, after the last block ``codes`` if given (given whole: decoded from the start in chunks)."""
        out = []
        if codes is not None and isinstance(self.plan, SegmentedPlan):
            out = self.feed(codes, scale)
        elif codes is not None:
            self._count(codes, scale)
        if self.frames == 0:
            raise ValueError("no codes were given to decode (0 frames)")
        out += self._cut(self._stream.finish(codes) if isinstance(self.plan, StagedPlan) else self._stream.finish())
        if self.length is not None and self.emitted < self.length:
            raise ValueError(f"length={self.length} asks for more samples than the codes cover (they cover "
                             f"{self.emitted}); pass the length of the audio they were encoded from")
        return out

    def _cut(self, blocks: list[torch.Tensor]) -> list[torch.Tensor]:
        """The blocks up to ``length`` samples, none empty."""
        kept = []
        for block in blocks:
            if self.length is not None:
                block = block[..., :max(self.length - self.emitted, 0)]
            if block.shape[-1]:
                kept.append(block)
                self.emitted += block.shape[-1]
        return kept
