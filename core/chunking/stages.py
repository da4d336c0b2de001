"""Exact chunked coding for codecs built from convolutions and recurrent layers.

A codec describes its encoder (audio -> codes) and its decoder (codes -> audio)
as a chain of stages, and ``StageChain`` runs the chain over input that comes in
blocks, with memory bounded by the chunk length instead of the signal length:

- ``Convolutional``: stateless, and an output frame depends on at most
  ``context`` frames of input on each side (the receptive field). A chunk is
  computed with that much input beyond each end and the extra output is dropped,
  so every kept frame saw exactly the input it sees in one pass. Chunks start on
  frame boundaries, so every strided layer inside keeps one pass's grid and its
  length-dependent padding is the same at the true ends of the signal.
- ``Recurrent``: causal (an LSTM); it runs over its input in order and carries
  its state from one chunk to the next, which is what one pass computes.

All positions are counted in frames (the codes' time base); a stage's tensors
have ``steps_in`` (``steps_out``) time steps per frame on their last axis: the
hop for audio, 1 for latents and codes. Every middle chunk of a stage has the
same shape, so kernels that pick algorithms by problem size treat them alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import nn


@dataclass(frozen=True)
class Convolutional:
    """``run(x) -> y``: output frames of input frames, each depending on ``context`` frames each side."""

    run: Callable[[torch.Tensor], torch.Tensor]
    context: int = 0
    steps_in: int = 1
    steps_out: int = 1


@dataclass(frozen=True)
class Recurrent:
    """``run(x, state) -> (y, state)``, causal, one output frame per input frame; ``state`` starts as None."""

    run: Callable[[torch.Tensor, Any], tuple[torch.Tensor, Any]]


Stage = Convolutional | Recurrent


def receptive_context(module: nn.Module, steps_per_frame: int) -> int:
    """Frames of context each side that cover the receptive field of ``module``'s convolutions.

    The field is summed over the convolutions in their forward order (residual branches only
    add to it, so this is an upper bound), in input steps, and taken whole on each side so that
    causal and centred padding are both covered; one more frame covers the offset of strided
    kernels. ``steps_per_frame``: the module's input steps per frame (the hop for an encoder, 1
    for a decoder).
    """
    field, jump = 1.0, 1.0  # jump: input steps per step of the current layer's input
    for layer in module.modules():
        if isinstance(layer, nn.ConvTranspose1d):
            field += (math.ceil(layer.kernel_size[0] / layer.stride[0]) - 1) * layer.dilation[0] * jump
            jump /= layer.stride[0]
        elif isinstance(layer, nn.Conv1d):
            field += (layer.kernel_size[0] - 1) * layer.dilation[0] * jump
            jump *= layer.stride[0]
    return math.ceil(field / steps_per_frame) + 1


class _Buffer:
    """The input a stage still needs: steps from frame ``start`` on, and whether more will come."""

    def __init__(self, steps_per_frame: int):
        self.steps_per_frame = steps_per_frame
        self.start = 0
        self.data: torch.Tensor | None = None
        self.final = False

    def append(self, x: torch.Tensor) -> None:
        self.data = x if self.data is None else torch.cat([self.data, x], dim=-1)

    @property
    def steps(self) -> int:
        return 0 if self.data is None else self.data.shape[-1]

    def frames_available(self) -> int:
        """Frames whose input is all here (a partial last frame counts once the input is final)."""
        whole = self.steps / self.steps_per_frame
        return self.start + (math.ceil(whole) if self.final else math.floor(whole))

    def between(self, first: int, last: int) -> torch.Tensor:
        """The steps of frames ``[first, last)`` (fewer at the end of a final input)."""
        offset = self.steps_per_frame
        return self.data[..., (first - self.start) * offset:(last - self.start) * offset]

    def drop_before(self, frame: int) -> None:
        if frame > self.start and self.data is not None:
            self.data = self.data[..., (frame - self.start) * self.steps_per_frame:]
            self.start = frame


class StageChain:
    """Runs ``stages`` over input given in blocks: ``feed`` returns the output that is final so far,
    ``finish`` the rest. ``chunk_frames`` (None: no limit) bounds the frames one call of a
    convolutional stage computes, beside its context."""

    def __init__(self, stages: list[Stage], chunk_frames: int | None):
        if not stages:
            raise ValueError("a stage chain needs at least one stage")
        if chunk_frames is not None and chunk_frames < 1:
            raise ValueError(f"chunk_frames must be at least 1, got {chunk_frames}")
        self.stages = stages
        self.chunk_frames = chunk_frames
        self.buffers = [_Buffer(stage.steps_in if isinstance(stage, Convolutional) else 1) for stage in stages]
        self.done = [0] * len(stages)  # output frames each stage has given
        self.states: list[Any] = [None] * len(stages)

    def feed(self, x: torch.Tensor) -> list[torch.Tensor]:
        if self.buffers[0].final:
            raise ValueError("this stream is finished: start a new one to code more input")
        self.buffers[0].append(x)
        return self._advance()

    def finish(self, x: torch.Tensor | None = None) -> list[torch.Tensor]:
        """The rest of the output, after the last block ``x`` if given (given whole, the input is
        coded in ``chunk_frames`` pieces from the start, or in one pass without a limit)."""
        if x is not None:
            self.buffers[0].append(x)
        self.buffers[0].final = True
        return self._advance()

    def _advance(self) -> list[torch.Tensor]:
        outputs: list[torch.Tensor] = []
        for index, stage in enumerate(self.stages):
            produced = list(self._run(index, stage))
            last = index + 1 == len(self.stages)
            final = self.buffers[index].final and self.done[index] == self.buffers[index].frames_available()
            if last:
                outputs += produced
            else:
                for y in produced:
                    self.buffers[index + 1].append(y)
                self.buffers[index + 1].final = final
        return outputs

    def _run(self, index: int, stage: Stage):
        buffer = self.buffers[index]
        available = buffer.frames_available()
        if isinstance(stage, Recurrent):
            if available > self.done[index]:
                y, self.states[index] = stage.run(buffer.between(self.done[index], available), self.states[index])
                self._check_steps(stage, y, available - self.done[index], 1)
                self.done[index] = available
                buffer.drop_before(available)
                yield y
            return
        target = available if buffer.final else available - stage.context
        chunk = self.chunk_frames or max(target - self.done[index], 1)
        while target - self.done[index] >= (1 if buffer.final else chunk):
            start = self.done[index]
            stop = min(start + chunk, target)
            first, last = max(start - stage.context, 0), min(stop + stage.context, available)
            y = stage.run(buffer.between(first, last))
            self._check_steps(stage, y, last - first, stage.steps_out)
            yield y[..., (start - first) * stage.steps_out:(stop - first) * stage.steps_out]
            self.done[index] = stop
            buffer.drop_before(max(stop - stage.context, 0))

    @staticmethod
    def _check_steps(stage: Stage, y: torch.Tensor, frames: int, steps_out: int) -> None:
        if y.shape[-1] != frames * steps_out:
            raise ValueError(f"stage {stage.run!r} gave {y.shape[-1]} steps for {frames} frame(s); a stage must "
                             f"give {steps_out} step(s) per frame of its input (pad or trim inside run)")


def run_chain(stages: list[Stage], x: torch.Tensor, chunk_frames: int | None) -> torch.Tensor:
    """The whole output of ``stages`` on ``x``, computed ``chunk_frames`` at a time."""
    return torch.cat(StageChain(stages, chunk_frames).finish(x), dim=-1)
