"""The EnCodec codec behind codecreg's ``CompressionModel`` contract.

Shapes: audio ``[B, C, T]``; codes ``[B, K, T']`` int64. For a renormalized
model ``encode`` also returns the scale, ``[B, S]``: one column per segment
(S = 1 for a model without segments). A segmented model (48 kHz) concatenates
the codes of its segments along time, so ``T'`` is the sum of the segments'
frames: a full 1 s segment gives 150 frames, and consecutive segments overlap by
1 % of a second of audio.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from codecreg import CompressionModel

from .config import EncodecConfig
from .quantization import ResidualVectorQuantizer
from .seanet import SEANetDecoder, SEANetEncoder
from .segments import frames_split, linear_overlap_add, segment_frames
from .time_major import decode as decode_time_major
from .time_major import prepare_time_major


class EncodecCodec(CompressionModel, nn.Module):
    """SEANet encoder, residual vector quantizer and SEANet decoder, inference only."""

    def __init__(self, config: EncodecConfig):
        nn.Module.__init__(self)
        self.config = config
        self.encoder = SEANetEncoder(config)
        self.decoder = SEANetDecoder(config)
        self.quantizer = ResidualVectorQuantizer(config.num_codebooks, config.codebook_size, config.dimension)
        self.set_metadata(sample_rate=config.sample_rate, channels=config.channels, frame_rate=config.frame_rate,
                          cardinality=config.codebook_size, total_codebooks=config.num_codebooks)
        self.eval()

    def refresh(self) -> None:
        """Recompute what is derived from the weights (codebook norms, decoder matrices):
        call after changing them."""
        self.quantizer.refresh()
        prepare_time_major(self.decoder)

    # contract: coding -----------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Items are encoded one at a time: oneDNN picks its convolution and LSTM kernels by
        problem size, so a batch would get other last bits than its items, and an item's
        codes must not depend on what it is batched with."""
        self.check_audio(x)
        items = [self._encode_item(item) for item in x.split(1)]
        codes = torch.cat([item_codes for item_codes, _ in items])
        return codes, torch.cat([scale for _, scale in items]) if self.config.renormalize else None

    def _encode_item(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        codes, scales = [], []
        for segment in self._segments(x):
            segment, scale = self._normalize(segment)
            codes.append(self.quantizer.encode(self.encoder(segment), self.num_codebooks))
            scales.append(scale)
        return torch.cat(codes, dim=-1), torch.cat(scales, dim=1) if self.config.renormalize else None

    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        self.check_codes(codes)
        return self.quantizer.decode(codes).transpose(1, 2)

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, scale: torch.Tensor | None = None,
               length: int | None = None) -> torch.Tensor:
        """Audio ``[B, C, T]`` for ``codes``: ``T = length`` when given, else every sample the
        frames cover (``T' * hop`` without segments; up to the end of the last segment with)."""
        self.check_codes(codes)
        scale = self._check_scale(codes, scale)
        length = self.check_length(length)
        if self.config.segment is None:
            audio = self._decode_segment(codes, scale)
        else:
            frames = self._frames_per_segment(codes, scale, length)
            if scale is not None and scale.shape[1] != len(frames):
                raise ValueError(f"{type(self).__name__}.decode: these codes hold {len(frames)} segment(s) but "
                                 f"scale has {scale.shape[1]} column(s); pass the scale encode returned with them")
            decoded = self._decode_segments(list(torch.split(codes, frames, dim=-1)))
            if scale is not None:
                decoded = [audio * scale[:, s].view(-1, 1, 1) for s, audio in enumerate(decoded)]
            audio = linear_overlap_add(decoded, self.config.segment_stride)
        return self.trim_to_length(audio, length)

    # internals ------------------------------------------------------------
    def _segments(self, x: torch.Tensor) -> list[torch.Tensor]:
        if self.config.segment is None:
            return [x]
        size, stride = self.config.segment_length, self.config.segment_stride
        return [x[..., offset: offset + size] for offset in range(0, x.shape[-1], stride)]

    def _normalize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Divide by the RMS of the mono mix (+1e-8), as the encodec package does, when the model asks."""
        if not self.config.renormalize:
            return x, None
        volume = x.mean(dim=1, keepdim=True).pow(2).mean(dim=2, keepdim=True).sqrt()
        scale = 1e-8 + volume
        return x / scale, scale.view(-1, 1)

    def _decode_segment(self, codes: torch.Tensor, scale: torch.Tensor | None) -> torch.Tensor:
        audio = decode_time_major(self.decoder, self.quantizer.decode(codes))
        return audio if scale is None else audio * scale.view(-1, 1, 1)

    def _decode_segments(self, parts: list[torch.Tensor]) -> list[torch.Tensor]:
        """Decode segments of equal length together, as one batch (one LSTM pass for all)."""
        decoded: list[torch.Tensor | None] = [None] * len(parts)
        for frames in {part.shape[-1] for part in parts}:
            indices = [s for s, part in enumerate(parts) if part.shape[-1] == frames]
            audio = self._decode_segment(torch.cat([parts[s] for s in indices]), None)
            for s, chunk in zip(indices, audio.split(parts[0].shape[0])):
                decoded[s] = chunk
        return decoded

    def _frames_per_segment(self, codes: torch.Tensor, scale: torch.Tensor | None,
                            length: int | None) -> list[int]:
        size, stride, hop = self.config.segment_length, self.config.segment_stride, self.config.hop_length
        if length is not None:
            frames = segment_frames(length, size, stride, hop)
            if sum(frames) != codes.shape[-1]:
                raise ValueError(f"{type(self).__name__}.decode: {length} samples encode to {sum(frames)} "
                                 f"frames, but the codes have {codes.shape[-1]}; pass the length of the "
                                 "audio these codes came from")
            return frames
        if scale is not None:
            return frames_split(codes.shape[-1], scale.shape[1], size, stride, hop)
        full = math.ceil(size / hop)
        return [full] * (codes.shape[-1] // full) + ([codes.shape[-1] % full] if codes.shape[-1] % full else [])

    def _check_scale(self, codes: torch.Tensor, scale: torch.Tensor | None) -> torch.Tensor | None:
        if scale is None:
            return None
        if not self.config.renormalize:
            raise ValueError(f"{type(self).__name__} does not renormalize its input: decode it with scale=None")
        scale = torch.as_tensor(scale, device=codes.device)
        if scale.dim() == 1:
            scale = scale[:, None]
        if scale.dim() != 2 or scale.shape[0] != codes.shape[0]:
            raise ValueError(f"{type(self).__name__}.decode expects scale shaped [batch, segments] as "
                             f"encode returns it, got {tuple(scale.shape)} for {codes.shape[0]} item(s)")
        return scale

