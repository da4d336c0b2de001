"""How a chunked EnCodec (the 48 kHz model) cuts audio into overlapping chunks, and where
each chunk's frames sit in the ``[B, K, T']`` codes.

Chunk i covers samples ``[i * stride, i * stride + length)`` of the input (the last
ones shorter), exactly as transformers and the encodec package cut it, and yields
``ceil(samples / hop)`` frames. The codes hold the chunks' frames one after the
other along time. transformers returns them stacked as ``(chunks, B, K, frames)``
instead, padding the last chunk, and fails when a middle chunk is short; the flat
layout has no padding and no such case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ChunkLayout:
    length: int  # samples per chunk
    stride: int  # samples between chunk starts
    hop: int  # samples per frame

    @property
    def frames_per_chunk(self) -> int:
        return math.ceil(self.length / self.hop)

    def sample_spans(self, samples: int) -> list[tuple[int, int]]:
        """``(start, size)`` of each chunk of an input of ``samples`` samples."""
        return [(start, min(self.length, samples - start)) for start in range(0, samples, self.stride)]

    def frame_counts(self, frames: int, samples: int | None = None) -> list[int]:
        """The frames of each chunk in codes of ``frames`` frames.

        With the input's length ``samples`` the split is the encoder's own; without
        it, every chunk but the last is taken as full, which is the encoder's split
        for every length except those ending less than ``length - stride`` samples
        after a chunk start (their last chunk lies inside the one before it).
        """
        if samples is not None:
            counts = [math.ceil(size / self.hop) for _, size in self.sample_spans(samples)]
            if sum(counts) == frames:
                return counts
        full, rest = divmod(frames, self.frames_per_chunk)
        return [self.frames_per_chunk] * full + ([rest] if rest else [])


def overlap_add(pieces: list[torch.Tensor], stride: int) -> torch.Tensor:
    """Join decoded chunks that start ``stride`` samples apart, cross-fading the overlaps
    with triangular weights as EnCodec does (a piece alone is returned unchanged)."""
    if len(pieces) == 1:
        return pieces[0]
    first = pieces[0]
    total = stride * (len(pieces) - 1) + pieces[-1].shape[-1]
    ramp = torch.linspace(0, 1, first.shape[-1] + 2, device=first.device, dtype=first.dtype)[1:-1]
    weight = 0.5 - (ramp - 0.5).abs()
    out = first.new_zeros(*first.shape[:-1], total)
    weight_sum = first.new_zeros(total)
    for index, piece in enumerate(pieces):
        start, size = index * stride, piece.shape[-1]
        out[..., start:start + size] += weight[:size] * piece
        weight_sum[start:start + size] += weight[:size]
    return out / weight_sum
