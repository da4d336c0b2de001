"""Stereo from a mono codec, as MusicGen stereo codes it: audiocraft's ``InterleaveStereoCompressionModel``.

The left and right channels are coded apart by the mono codec and their codes interleaved:

- per codebook (``per_timestep=False``): ``[B, 2K, T']``, row ``2k`` is codebook ``k`` of the
  left channel and row ``2k + 1`` that of the right (L0, R0, L1, R1, ...); ``num_codebooks``
  and ``total_codebooks`` count rows, twice the mono codec's, at its frame rate;
- per time step (``per_timestep=True``): ``[B, K, 2T']``, column ``2t`` is frame ``t`` of the
  left channel and ``2t + 1`` that of the right, at twice the frame rate.

audiocraft's ``set_num_codebooks(n)`` sets the mono codec's count before interleaving; here, as
for every codecreg codec, ``n`` is the count ``encode`` gives: rows per codebook (an even number:
each level of both channels), codebooks per time step.
"""

from __future__ import annotations

from itertools import tee
from typing import Any, Iterable, Iterator

import torch
from torch import nn

from .compression import CompressionModel

LAYOUTS = {"interleave": False, "interleave_per_timestep": True}


class InterleavedStereo(CompressionModel, nn.Module):
    """A stereo codec made of a mono one, its channels coded apart and their codes interleaved."""

    def __init__(self, model: CompressionModel, per_timestep: bool = False):
        nn.Module.__init__(self)
        if model.channels != 1:
            raise ValueError(f"stereo by interleaving wraps a mono codec; {model.name or type(model).__name__} "
                             f"has {model.channels} channels")
        self.model = model
        self.per_timestep = per_timestep
        steps = 2 if per_timestep else 1
        rows = 1 if per_timestep else 2
        self.set_metadata(sample_rate=model.sample_rate, channels=2, frame_rate=model.frame_rate * steps,
                          cardinality=model.cardinality, total_codebooks=rows * model.total_codebooks,
                          num_codebooks=rows * model.num_codebooks)
        self.chunk_seconds = model.chunk_seconds

    # contract -------------------------------------------------------------
    def set_num_codebooks(self, n: int) -> None:
        super().set_num_codebooks(n)
        self.model.set_num_codebooks(n if self.per_timestep else n // 2)

    def check_num_codebooks(self, n: int) -> int:
        """Per codebook, both channels keep the same levels: an even number of rows."""
        n = super().check_num_codebooks(n)
        if not self.per_timestep and n % 2:
            raise ValueError(f"{type(self).__name__}: codes interleaved per codebook hold each level for the left "
                             f"and the right channel, so num_codebooks must be even (2 to {self.total_codebooks}), "
                             f"got {n}")
        return n

    def set_chunk_seconds(self, seconds: float | None) -> None:
        self.model.set_chunk_seconds(seconds)
        self.chunk_seconds = self.model.chunk_seconds

    def frames_for(self, length: int) -> int:
        return self.model.frames_for(length) * (2 if self.per_timestep else 1)

    def encode(self, x: Any) -> tuple[Any, Any | None]:
        self.check_audio(x)
        left, left_scale = self.model.encode(x[:, :1])
        right, right_scale = self.model.encode(x[:, 1:])
        return self._interleave(left, right), _stacked(left_scale, right_scale)

    def decode(self, codes: Any, scale: Any | None = None, length: int | None = None) -> Any:
        self.check_codes(codes)
        left, right = self._split(codes)
        left_scale, right_scale = _unstacked(scale)
        return torch.cat([self.model.decode(left, left_scale, length=length),
                          self.model.decode(right, right_scale, length=length)], dim=1)

    def decode_latent(self, codes: Any) -> Any:
        """Per codebook: the two channels' latents one above the other, ``[B, 2D, T']``; per time
        step: their frames interleaved, ``[B, D, 2T']``."""
        self.check_codes(codes)
        left, right = (self.model.decode_latent(half) for half in self._split(codes))
        if not self.per_timestep:
            return torch.cat([left, right], dim=1)
        return torch.stack([left, right], dim=-1).flatten(-2)

    def encode_stream(self, blocks: Iterable[Any]) -> Iterator[tuple[Any, Any | None]]:
        left_blocks, right_blocks = tee(blocks)  # both channels' streams emit in step: tee stays short
        left = self.model.encode_stream(block[:, :1] for block in left_blocks)
        right = self.model.encode_stream(block[:, 1:] for block in right_blocks)
        for (left_codes, left_scale), (right_codes, right_scale) in zip(left, right):
            yield self._interleave(left_codes, right_codes), _stacked(left_scale, right_scale)

    def decode_stream(self, blocks: Iterable[Any], length: int | None = None) -> Iterator[Any]:
        pairs = ((block, None) if not isinstance(block, tuple) else block for block in blocks)
        left_pairs, right_pairs = tee(pairs)
        left = self.model.decode_stream(((self._split(c)[0], _unstacked(s)[0]) for c, s in left_pairs), length)
        right = self.model.decode_stream(((self._split(c)[1], _unstacked(s)[1]) for c, s in right_pairs), length)
        for left_audio, right_audio in zip(left, right):
            yield torch.cat([left_audio, right_audio], dim=1)

    def coding_plan(self) -> Any | None:
        """Long audio is chunked inside the mono codec (``chunk_seconds`` is passed on to it)."""
        return self.model.coding_plan()

    # layout ---------------------------------------------------------------
    def _interleave(self, left: Any, right: Any) -> Any:
        if self.per_timestep:  # [B, K, T'] twice -> [B, K, 2T']: L0 R0 L1 R1 ... along time
            return torch.stack([left, right], dim=-1).flatten(-2)
        return torch.stack([left, right], dim=2).flatten(1, 2)  # [B, 2K, T']: L0 R0 L1 R1 ... along rows

    def _split(self, codes: Any) -> tuple[Any, Any]:
        if self.per_timestep:
            if codes.shape[-1] % 2:
                raise ValueError(f"{type(self).__name__}.decode: codes interleaved per time step have an even "
                                 f"number of frames (left, right, ...), got {codes.shape[-1]}")
            return codes[..., 0::2], codes[..., 1::2]
        return codes[:, 0::2], codes[:, 1::2]


def _stacked(left: Any | None, right: Any | None) -> Any | None:
    return None if left is None or right is None else torch.stack([left, right], dim=1)


def _unstacked(scale: Any | None) -> tuple[Any | None, Any | None]:
    if scale is None:
        return None, None
    if scale.dim() < 2 or scale.shape[1] != 2:
        raise ValueError(f"InterleavedStereo.decode: scale holds the left and right channel's, [B, 2, ...]; got "
                         f"shape {tuple(scale.shape)}: pass the scale encode returned with the codes")
    return scale[:, 0], scale[:, 1]
