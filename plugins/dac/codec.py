"""DAC behind the codecreg contract: exact lengths, honoured codebook counts, stereo, long audio.

The wrapped ``dac.DAC`` supplies the layers; the steps around them are ours:

- Codebooks: the package drops ``n_quantizers`` in train mode (quantizer dropout);
  here the residual quantizers are run one by one, the same operations as its
  eval-mode ``encode``, so the count holds whatever the module's mode.
- Channels: a C-channel codec folds channels into the batch and encodes each with
  the mono model. Codes interleave channels within each codebook level, as
  audiocraft's ``InterleaveStereoCompressionModel`` does: row ``k * C + c`` is level
  ``k`` of channel ``c`` (L0, R0, L1, R1, ... for stereo). ``num_codebooks`` counts
  rows, so bitrate is rows x 10 bits x frame rate, and keeping the first n rows
  keeps the coarsest levels of every channel.
- Length: input is padded to a whole frame as the package's ``preprocess`` does;
  ``decode(codes, length=n)`` returns exactly n samples, and without ``length``
  ``T' * hop`` (the 16/24 kHz decoders yield 8 samples fewer, stride 5 being odd:
  those are zeros).
- Long audio: frames are processed in chunks with enough context on each side
  to leave codes and audio as in one pass (``chunking.py``).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from codecreg import CompressionModel

from .chunking import Span, decoder_context_frames, encoder_context_frames, plan_spans


class DacCodec(CompressionModel, nn.Module):
    """A ``dac.DAC`` model as a codecreg codec of ``channels`` channels.

    ``chunk_frames`` bounds how many frames one pass of the encoder or decoder
    covers (None: the whole input in one pass).
    """

    def __init__(self, model: nn.Module, channels: int = 1, chunk_frames: int | None = None):
        nn.Module.__init__(self)
        self.model = model.eval()
        self.hop = math.prod(model.encoder_rates)
        self.set_metadata(sample_rate=int(model.sample_rate), channels=channels,
                          frame_rate=int(model.sample_rate) / self.hop, cardinality=int(model.codebook_size),
                          total_codebooks=channels * int(model.n_codebooks))
        self.chunk_frames = chunk_frames
        self.encoder_context = encoder_context_frames(model.encoder, self.hop)
        self.decoder_context = decoder_context_frames(model.decoder)

    # contract -------------------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        """Items are encoded one at a time so that an item's codes never depend on its batch
        (oneDNN picks kernels by problem size, and a deep codebook's near-tie can flip)."""
        self.check_audio(x)
        return torch.cat([self._encode_item(item) for item in x.split(1)]), None

    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        """``[B, C * D, T']``: the quantized latent of each channel, channel after channel."""
        self.check_codes(codes)
        batch, _, frames = codes.shape
        return self._channel_latents(codes).reshape(batch, -1, frames)

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, scale: torch.Tensor | None = None,
               length: int | None = None) -> torch.Tensor:
        self.check_codes(codes)
        batch, _, frames = codes.shape
        full_length = frames * self.hop
        length = self.check_length(length)
        if length is not None and length > full_length:
            raise ValueError(
                f"{type(self).__name__}.decode: length={length} is outside what {frames} frames cover "
                f"(1 to {full_length} samples); pass the length of the audio that was encoded"
            )
        audio = torch.cat([self._decode_span(codes, span)
                           for span in plan_spans(frames, self.chunk_frames, self.decoder_context)], dim=-1)
        audio = audio.reshape(batch, self.channels, full_length)
        return self.trim_to_length(audio, length)

    # internals ------------------------------------------------------------
    @property
    def _dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    def _encode_item(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``[1, K, T']`` of one item ``[1, C, T]``: its channels run as a batch of mono signals."""
        _, channels, length = x.shape
        frames = math.ceil(length / self.hop)
        levels = math.ceil(self.num_codebooks / channels)
        mono = F.pad(x.reshape(channels, 1, length).to(self._dtype), (0, frames * self.hop - length))
        codes = torch.cat([self._encode_span(mono, span, levels)
                           for span in plan_spans(frames, self.chunk_frames, self.encoder_context)], dim=-1)
        interleaved = codes.reshape(1, channels, levels, frames).transpose(1, 2)
        return interleaved.reshape(1, levels * channels, frames)[:, :self.num_codebooks]

    def _encode_span(self, mono: torch.Tensor, span: Span, levels: int) -> torch.Tensor:
        """Codes ``[N, levels, frames]`` of the frames ``span`` keeps, computed with its context."""
        latent = self.model.encoder(mono[..., span.context_start * self.hop:span.context_stop * self.hop])
        return self._quantize(latent, levels)[..., span.start - span.context_start:span.stop - span.context_start]

    def _quantize(self, latent: torch.Tensor, levels: int) -> torch.Tensor:
        """The first ``levels`` codebooks' indices, ``[N, levels, T']``, as DAC's eval-mode quantizer computes them."""
        residual = latent
        indices = []
        for quantizer in self.model.quantizer.quantizers[:levels]:
            quantized, _, _, level_indices, _ = quantizer(residual)
            indices.append(level_indices)
            residual = residual - quantized
        return torch.stack(indices, dim=1)

    def _channel_latents(self, codes: torch.Tensor) -> torch.Tensor:
        """``[B, C, D, T']`` from interleaved codes; a channel left without a level gets zeros."""
        batch, _, frames = codes.shape
        latents = []
        for channel in range(self.channels):
            levels = codes[:, channel::self.channels]
            if levels.shape[1]:
                latents.append(self.model.quantizer.from_codes(levels)[0])
            else:
                latents.append(torch.zeros(batch, self.model.latent_dim, frames,
                                           dtype=self._dtype, device=codes.device))
        return torch.stack(latents, dim=1)

    def _decode_span(self, codes: torch.Tensor, span: Span) -> torch.Tensor:
        """``[B * C, 1, samples]`` of the frames ``span`` keeps, zero-padded where the decoder stops short."""
        latent = self._channel_latents(codes[..., span.context_start:span.context_stop])
        audio = self.model.decoder(latent.flatten(0, 1))
        first = (span.start - span.context_start) * self.hop
        last = (span.stop - span.context_start) * self.hop
        audio = audio[..., first:last]
        return F.pad(audio, (0, last - first - audio.shape[-1]))
