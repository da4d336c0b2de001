"""Segment-and-overlap processing of the 48 kHz model, as the encodec package does it.

The input is cut into segments of ``segment_length`` samples starting every
``stride`` samples (1 s with 1 % overlap); each is encoded on its own, with its
own scale; decoded segments are cross-faded with triangular weights.
"""

from __future__ import annotations

import math

import torch


def segment_sizes(length: int, segment_length: int, stride: int) -> list[int]:
    """Samples in each segment of an input of ``length`` samples (the last ones may be short)."""
    return [min(segment_length, length - offset) for offset in range(0, length, stride)]


def segment_frames(length: int, segment_length: int, stride: int, hop: int) -> list[int]:
    """Frames each segment encodes to."""
    return [math.ceil(size / hop) for size in segment_sizes(length, segment_length, stride)]


def frames_split(total_frames: int, num_segments: int, segment_length: int, stride: int, hop: int) -> list[int]:
    """Recover each segment's frame count from the concatenated codes.

    Only the last two segments can be short, and their sizes depend on how far
    the input reached past the last segment start; the frame counts change only
    where that distance crosses a hop boundary, so trying those points is enough.
    """
    start = (num_segments - 1) * stride
    candidates = sorted({r for base in (1, -stride % hop + 1) for r in range(base, stride + 1, hop)})
    for reach in candidates:
        frames = segment_frames(start + reach, segment_length, stride, hop)
        if len(frames) == num_segments and sum(frames) == total_frames:
            return frames
    raise ValueError(
        f"{total_frames} frames cannot come from {num_segments} segment(s) of this model "
        f"({segment_length} samples every {stride}); pass the scale that encode returned with these codes"
    )


def linear_overlap_add(frames: list[torch.Tensor], stride: int) -> torch.Tensor:
    """Sum decoded segments placed every ``stride`` samples, each weighted by a triangle
    peaking at its middle, divided by the summed weights (a cross-fade where they overlap)."""
    first = frames[0]
    total = stride * (len(frames) - 1) + frames[-1].shape[-1]
    frame_length = first.shape[-1]
    t = torch.linspace(0, 1, frame_length + 2, device=first.device, dtype=first.dtype)[1:-1]
    weight = 0.5 - (t - 0.5).abs()
    sum_weight = torch.zeros(total, device=first.device, dtype=first.dtype)
    out = torch.zeros(*first.shape[:-1], total, device=first.device, dtype=first.dtype)
    offset = 0
    for frame in frames:
        n = frame.shape[-1]
        out[..., offset: offset + n] += weight[:n] * frame
        sum_weight[offset: offset + n] += weight[:n]
        offset += stride
    return out / sum_weight
