"""Cutting long audio into chunks whose codes equal those of the whole.

DAC is fully convolutional: a code frame depends on a bounded window of samples
(its receptive field), and an output sample on a bounded window of frames. A chunk
is therefore computed with ``context`` extra frames on each side that cover half
of that window, and the context is dropped afterwards: the kept frames (or
samples) see exactly the input they would see in one pass over the whole signal,
so they match it up to floating-point rounding, while memory is bounded by the
chunk length instead of the signal length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn


@dataclass(frozen=True)
class Span:
    """Frames ``[start, stop)`` are kept, frames ``[context_start, context_stop)`` are computed."""

    start: int
    stop: int
    context_start: int
    context_stop: int


def plan_spans(total_frames: int, chunk_frames: int | None, context_frames: int) -> list[Span]:
    """Spans covering ``total_frames``; one span when ``chunk_frames`` is None or covers it all."""
    if not chunk_frames or total_frames <= chunk_frames:
        return [Span(0, total_frames, 0, total_frames)]
    return [
        Span(start, min(start + chunk_frames, total_frames), max(start - context_frames, 0),
             min(start + chunk_frames + context_frames, total_frames))
        for start in range(0, total_frames, chunk_frames)
    ]


def encoder_context_frames(encoder: nn.Module, hop: int) -> int:
    """Frames of context each side that cover the encoder's receptive field.

    The field is summed over the convolutions in their forward order (residual
    branches only add to it, so this is an upper bound); half of it lies each side
    of a frame, and one more frame covers the offset of the strided kernels.
    """
    field, jump = 1, 1
    for layer in encoder.modules():
        if isinstance(layer, nn.Conv1d):
            field += (layer.kernel_size[0] - 1) * layer.dilation[0] * jump
            jump *= layer.stride[0]
    return math.ceil(field / hop / 2) + 1


def decoder_context_frames(decoder: nn.Module) -> int:
    """Frames of context each side that cover the decoder's receptive field, measured in frames."""
    field, frames_per_step = 1.0, 1.0
    for layer in decoder.modules():
        if isinstance(layer, nn.ConvTranspose1d):
            field += (math.ceil(layer.kernel_size[0] / layer.stride[0]) - 1) * frames_per_step
            frames_per_step /= layer.stride[0]
        elif isinstance(layer, nn.Conv1d):
            field += (layer.kernel_size[0] - 1) * layer.dilation[0] * frames_per_step
    return math.ceil(field / 2) + 1
