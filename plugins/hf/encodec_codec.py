"""transformers' ``EncodecModel`` behind the CompressionModel contract.

What transformers does that the contract hides: ``encode`` uses the LOWEST
bandwidth when none is given (here: every codebook of the highest bandwidth unless
``set_num_codebooks`` says otherwise); codes come as ``(chunks, B, K, T)`` with a
padded last chunk and scales as a list per chunk (here: ``[B, K, T']`` with the
chunks' frames one after the other, see chunks.py, and scales ``[B, chunks]``).
Frame rate, cardinality, channels and codebook counts are read from the config;
``set_num_codebooks`` takes any n from 1 to total, not only the trained bandwidths
(residual quantization makes the first n codes the same at every bandwidth).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from codecreg import CompressionModel, codebooks_for_bandwidth

from .chunks import ChunkLayout, overlap_add


class TransformersEncodec(CompressionModel, nn.Module):
    def __init__(self, model: nn.Module):
        nn.Module.__init__(self)
        self.model = model.eval()
        config = model.config
        self.hop = math.prod(config.upsampling_ratios)
        sample_rate, cardinality, total = int(config.sampling_rate), int(config.codebook_size), len(model.quantizer.layers)
        self.bandwidths = tuple(sorted(float(bw) for bw in config.target_bandwidths))
        self.normalize = bool(config.normalize)
        default = codebooks_for_bandwidth(self.bandwidths[-1], cardinality, sample_rate / self.hop)
        self.set_metadata(sample_rate=sample_rate, channels=int(config.audio_channels),
                          frame_rate=sample_rate / self.hop, cardinality=cardinality, total_codebooks=total,
                          num_codebooks=min(max(default, 1), total))
        self.chunks = (ChunkLayout(config.chunk_length, config.chunk_stride, self.hop)
                       if config.chunk_length and config.chunk_stride else None)

    # contract -------------------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Codes ``[B, K, T']``; the scale is ``[B, 1]`` (``[B, chunks]`` for a chunked model)
        when the model normalizes its input, else None. Items are encoded one at a time, as
        the native plugin does: oneDNN picks kernels by problem size, so in a batch an item
        could get other last bits, and a deep codebook another code."""
        self.check_audio(x)
        x = x.to(self._parameter().device, self._parameter().dtype)
        encoded = [self._encode_item(item) for item in x.split(1)]
        codes = torch.cat([codes for codes, _ in encoded])
        scale = torch.cat([scale for _, scale in encoded]) if self.normalize else None
        return codes, scale

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, scale: torch.Tensor | None = None,
               length: int | None = None) -> torch.Tensor:
        """Audio ``[B, C, T]``: ``length`` samples when given, else all the codes cover."""
        self.check_codes(codes)
        length = self.check_length(length)
        codes = codes.to(self._parameter().device).long()
        counts = self.chunks.frame_counts(codes.shape[-1], length) if self.chunks else [codes.shape[-1]]
        scale = self._check_scale(scale, codes.shape[0], len(counts))
        pieces, start = [], 0
        for index, count in enumerate(counts):
            audio = self.model.decoder(self._latent(codes[..., start:start + count]))
            pieces.append(audio if scale is None else audio * scale[:, index].view(-1, 1, 1))
            start += count
        audio = overlap_add(pieces, self.chunks.stride) if self.chunks else pieces[0]
        return self.trim_to_length(audio, length)

    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        """The sum of the codebook vectors, ``[B, D, T']``: the decoder's input."""
        self.check_codes(codes)
        return self._latent(codes.to(self._parameter().device).long())

    # internals ------------------------------------------------------------
    def _encode_item(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        spans = self.chunks.sample_spans(x.shape[-1]) if self.chunks else [(0, x.shape[-1])]
        encoded = [self._encode_chunk(x[..., start:start + size]) for start, size in spans]
        codes = torch.cat([codes for codes, _ in encoded], dim=-1)
        scale = torch.cat([scale for _, scale in encoded], dim=1) if self.normalize else None
        return codes, scale

    def _encode_chunk(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        scale = None
        if self.normalize:  # as transformers and the encodec package: RMS of the mono mix
            mono = x.sum(dim=1, keepdim=True) / x.shape[1]
            scale = mono.pow(2).mean(dim=-1, keepdim=True).sqrt() + 1e-8
            x = x / scale
            scale = scale.view(-1, 1)
        latent = self.model.encoder(x)
        # the highest bandwidth, always: transformers would take the lowest for None
        codes = self.model.quantizer.encode(latent, self.bandwidths[-1])  # [K_all, B, T']
        return codes[: self.num_codebooks].transpose(0, 1), scale

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.quantizer.decode(codes.transpose(0, 1))

    def _check_scale(self, scale: torch.Tensor | None, batch: int, chunks: int) -> torch.Tensor | None:
        if scale is None:
            return None
        scale = torch.as_tensor(scale, device=self._parameter().device, dtype=self._parameter().dtype)
        if scale.dim() == 1:
            scale = scale.view(-1, 1)
        if tuple(scale.shape) != (batch, chunks):
            raise ValueError(
                f"{type(self).__name__}.decode: scale has shape {tuple(scale.shape)}, expected "
                f"({batch}, {chunks}) (batch, chunks) as encode returns it; pass scale=None to decode "
                "codes that come without one (e.g. from a language model)"
            )
        return scale

    def _parameter(self) -> torch.Tensor:
        return next(self.model.parameters())
