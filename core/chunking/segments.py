"""Exact chunked coding for segmented codecs (EnCodec 48 kHz): whole segments, one at a time.

Such a codec cuts its input into segments of ``length`` samples starting every
``stride`` samples (the last ones shorter) and codes each alone, with its own
scale; decoded segments are cross-faded with triangular weights. Each segment
depends on its own samples only, so coding the segments as the input arrives,
and cross-fading each into the output as soon as it is decoded, gives what one
pass gives while holding one segment at a time. Codes hold the segments' frames
one after the other along time: a segment of ``n`` samples has ``ceil(n / hop)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch


@dataclass(frozen=True)
class SegmentLayout:
    length: int  # samples per segment
    stride: int  # samples between segment starts
    hop: int  # samples per frame

    @property
    def full_frames(self) -> int:
        return math.ceil(self.length / self.hop)

    def sample_spans(self, samples: int) -> list[tuple[int, int]]:
        """``(start, size)`` of each segment of an input of ``samples`` samples."""
        return [(start, min(self.length, samples - start)) for start in range(0, samples, self.stride)]

    def frames_for(self, samples: int) -> list[int]:
        """The frames each segment of an input of ``samples`` samples encodes to."""
        return [math.ceil(size / self.hop) for _, size in self.sample_spans(samples)]

    def covered_samples(self, counts: list[int]) -> int:
        """Samples the decoded segments of ``counts`` frames span once cross-faded."""
        return self.stride * (len(counts) - 1) + counts[-1] * self.hop

    def frame_counts(self, frames: int, samples: int | None = None, segments: int | None = None) -> list[int]:
        """Each segment's frames in codes of ``frames`` frames.

        With the input's length ``samples`` the split is the encoder's own. With the number of
        ``segments`` (a scale's columns) it is found: only the last two segments can be short,
        and their frames change only where the input's reach past the last segment start
        crosses a hop boundary, so trying those points is enough. With neither, every segment
        but the last is taken as full, which is the encoder's split unless the input ended less
        than ``length - stride`` samples after a segment start.
        """
        if samples is not None:
            counts = self.frames_for(samples)
            if sum(counts) != frames:
                raise ValueError(f"{samples} samples encode to {sum(counts)} frames, but the codes have {frames}; "
                                 "pass the length of the audio these codes came from")
            return counts
        if segments is not None:
            start = (segments - 1) * self.stride
            reaches = sorted({r for base in (1, -self.stride % self.hop + 1)
                              for r in range(base, self.stride + 1, self.hop)})
            for reach in reaches:
                counts = self.frames_for(start + reach)
                if len(counts) == segments and sum(counts) == frames:
                    return counts
            raise ValueError(f"{frames} frames cannot come from {segments} segment(s) of this model "
                             f"({self.length} samples every {self.stride}); pass the scale that encode returned "
                             "with these codes")
        full, rest = divmod(frames, self.full_frames)
        return [self.full_frames] * full + ([rest] if rest else [])


def triangle(size: int, like: torch.Tensor) -> torch.Tensor:
    """The cross-fade weight of a decoded segment of ``size`` samples: a triangle peaking at its middle."""
    ramp = torch.linspace(0, 1, size + 2, device=like.device, dtype=like.dtype)[1:-1]
    return 0.5 - (ramp - 0.5).abs()


class OverlapAdd:
    """Cross-fades decoded segments placed ``stride`` apart as they come; ``add`` returns the samples
    no later segment touches, ``finish`` the rest. Sums in segment order, as one pass does."""

    def __init__(self, stride: int):
        self.stride = stride
        self.emitted = 0  # samples returned so far
        self.segments = 0
        self.out: torch.Tensor | None = None  # samples from ``emitted`` on
        self.weight_sum: torch.Tensor | None = None
        self.weight: torch.Tensor | None = None

    def add(self, audio: torch.Tensor) -> torch.Tensor:
        if self.weight is None:  # weights sized by the first segment, as the encodec package does
            self.weight = triangle(audio.shape[-1], audio)
        offset = self.segments * self.stride - self.emitted
        end = offset + audio.shape[-1]
        if self.out is None:
            self.out = audio.new_zeros(*audio.shape[:-1], end)
            self.weight_sum = audio.new_zeros(end)
        elif end > self.out.shape[-1]:
            grow = end - self.out.shape[-1]
            self.out = torch.cat([self.out, audio.new_zeros(*audio.shape[:-1], grow)], dim=-1)
            self.weight_sum = torch.cat([self.weight_sum, audio.new_zeros(grow)])
        weight = self.weight[:audio.shape[-1]]
        self.out[..., offset:end] += weight * audio
        self.weight_sum[offset:end] += weight
        self.segments += 1
        return self._take(self.segments * self.stride - self.emitted)

    def finish(self) -> torch.Tensor | None:
        return None if self.out is None else self._take(self.out.shape[-1])

    def _take(self, samples: int) -> torch.Tensor:
        samples = min(samples, self.out.shape[-1])
        ready = self.out[..., :samples] / self.weight_sum[:samples]
        self.out, self.weight_sum = self.out[..., samples:], self.weight_sum[samples:]
        self.emitted += samples
        return ready


class SegmentedEncodeStream:
    """Codes segments as soon as their samples are in: ``(codes, scale)`` per segment."""

    def __init__(self, layout: SegmentLayout, encode_segment: Callable):
        self.layout = layout
        self.encode_segment = encode_segment
        self.start = 0  # sample position of ``buffer``'s first sample
        self.buffer: torch.Tensor | None = None
        self.finished = False

    def feed(self, x: torch.Tensor) -> list[tuple]:
        if self.finished:
            raise ValueError("this stream is finished: start a new one to code more input")
        self.buffer = x if self.buffer is None else torch.cat([self.buffer, x], dim=-1)
        return self._segments(final=False)

    def finish(self, x: torch.Tensor | None = None) -> list[tuple]:
        coded = [] if x is None else self.feed(x)
        self.finished = True
        return coded + self._segments(final=True)

    def _segments(self, final: bool) -> list[tuple]:
        coded = []
        while self.buffer is not None and self.buffer.shape[-1] > 0:
            if not final and self.buffer.shape[-1] < self.layout.length:
                break
            coded.append(self.encode_segment(self.buffer[..., :self.layout.length]))
            self.buffer = self.buffer[..., self.layout.stride:]
            self.start += self.layout.stride
        return coded


class SegmentedDecodeStream:
    """Decodes segments once their frames are known to be complete and cross-fades them.

    With ``length`` (the encoded input's samples) each segment's frames are known up front;
    without, a segment is decoded once three more segments' worth of frames follow it (only
    the last two can be short), the rest at ``finish``.
    """

    def __init__(self, layout: SegmentLayout, decode_segment: Callable, length: int | None = None):
        self.layout = layout
        self.decode_segment = decode_segment
        self.length = length
        self.counts = None if length is None else layout.frames_for(length)
        self.codes: torch.Tensor | None = None
        self.scales: list[torch.Tensor] = []
        self.decoded = 0
        self.received = 0
        self.overlap = OverlapAdd(layout.stride)

    def feed(self, codes: torch.Tensor, scale: torch.Tensor | None = None) -> list[torch.Tensor]:
        self.codes = codes if self.codes is None else torch.cat([self.codes, codes], dim=-1)
        self.received += codes.shape[-1]
        if scale is not None:
            self.scales += list(scale.reshape(scale.shape[0], -1).split(1, dim=1))
        if self.counts is not None and self.received > sum(self.counts):
            raise ValueError(f"these codes hold more frames than {self.length} samples encode to "
                             f"({sum(self.counts)}); pass the length of the audio they came from")
        ready = []
        while True:
            frames = self._next_count()
            if frames is None or self.codes.shape[-1] < frames:
                return ready
            ready.append(self._decode(frames))

    def finish(self) -> list[torch.Tensor]:
        if self.codes is None:
            return []
        counts = self.layout.frame_counts(self.received, self.length,
                                          len(self.scales) if self.scales else None)
        ready = [self._decode(frames) for frames in counts[self.decoded:]]
        tail = self.overlap.finish()
        return ready + ([tail] if tail is not None and tail.shape[-1] else [])

    def _next_count(self) -> int | None:
        if self.counts is not None:
            return self.counts[self.decoded] if self.decoded < len(self.counts) else None
        full = self.layout.full_frames
        return full if self.received >= (self.decoded + 3) * full else None

    def _decode(self, frames: int) -> torch.Tensor:
        scale = self.scales[self.decoded] if self.scales else None
        audio = self.decode_segment(self.codes[..., :frames], scale)
        self.codes = self.codes[..., frames:]
        self.decoded += 1
        return self.overlap.add(audio)
