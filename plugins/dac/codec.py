"""DAC behind the codecreg contract: exact lengths, honoured codebook counts, stereo, long audio.

The layers come from a model with DAC's shape: our own ``native.NativeDac`` (the default,
``impl=native``) or the ``dac`` package's ``dac.DAC`` behind ``PackageDac`` (``impl=package``).
Both give ``encoder``, ``decoder``, ``quantize(latent, levels)`` and ``from_codes(codes)``;
the steps around them are ours:

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
- Long audio: the encoder and the decoder are convolution stacks, declared to
  core's chunker as one stage each with the context their receptive field needs
  (``coding_plan``), so codes and audio in chunks equal one pass.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from codecreg import CompressionModel
from codecreg.chunking import Convolutional, StagedPlan, receptive_context


class PackageDac(nn.Module):
    """The ``dac`` package's ``dac.DAC`` with ``NativeDac``'s interface.

    ``quantize`` runs the residual quantizers one by one, the same operations as the package's
    eval-mode ``encode``, so the codebook count holds whatever the module's mode."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.package = model.eval()
        self.encoder_rates = list(model.encoder_rates)
        self.sample_rate = int(model.sample_rate)
        self.latent_dim = int(model.latent_dim)
        self.n_codebooks = int(model.n_codebooks)
        self.codebook_size = int(model.codebook_size)

    @property
    def encoder(self) -> nn.Module:
        return self.package.encoder

    @property
    def decoder(self) -> nn.Module:
        return self.package.decoder

    def quantize(self, latent: torch.Tensor, levels: int) -> torch.Tensor:
        residual = latent
        indices = []
        for quantizer in self.package.quantizer.quantizers[:levels]:
            quantized, _, _, level_indices, _ = quantizer(residual)
            indices.append(level_indices)
            residual = residual - quantized
        return torch.stack(indices, dim=1)

    def from_codes(self, codes: torch.Tensor) -> torch.Tensor:
        return self.package.quantizer.from_codes(codes)[0]


class DacCodec(CompressionModel, nn.Module):
    """A DAC model (``NativeDac`` or ``PackageDac``) as a codecreg codec of ``channels`` channels."""

    def __init__(self, model: nn.Module, channels: int = 1):
        nn.Module.__init__(self)
        self.model = model.eval()
        self.hop = math.prod(model.encoder_rates)
        self.set_metadata(sample_rate=int(model.sample_rate), channels=channels,
                          frame_rate=int(model.sample_rate) / self.hop, cardinality=int(model.codebook_size),
                          total_codebooks=channels * int(model.n_codebooks))
        self.encoder_context = receptive_context(model.encoder, self.hop)
        self.decoder_context = receptive_context(model.decoder, 1)

    # contract: encode and decode are the base class's, through the coding plan (items one at a
    # time, so that an item's codes never depend on its batch: oneDNN picks kernels by problem
    # size, and a deep codebook's near-tie can flip) ----------------------------------------
    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        """``[B, C * D, T']``: the quantized latent of each channel, channel after channel."""
        self.check_codes(codes)
        batch, _, frames = codes.shape
        return self._channel_latents(codes).reshape(batch, -1, frames)

    def coding_plan(self) -> StagedPlan:
        return StagedPlan(encoder=[Convolutional(self._encode_frames, self.encoder_context, steps_in=self.hop)],
                          decoder=[Convolutional(self._decode_frames, self.decoder_context, steps_out=self.hop)],
                          hop=self.hop)

    # internals ------------------------------------------------------------
    @property
    def _dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    @torch.no_grad()
    def _encode_frames(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``[1, K, T']`` of one item ``[1, C, T]``, padded to whole frames as the package does:
        its channels run as a batch of mono signals."""
        _, channels, length = x.shape
        frames = math.ceil(length / self.hop)
        levels = math.ceil(self.num_codebooks / channels)
        mono = F.pad(x.reshape(channels, 1, length).to(self._dtype), (0, frames * self.hop - length))
        codes = self.model.quantize(self.model.encoder(mono), levels)
        interleaved = codes.reshape(1, channels, levels, frames).transpose(1, 2)
        return interleaved.reshape(1, levels * channels, frames)[:, :self.num_codebooks]

    def _channel_latents(self, codes: torch.Tensor) -> torch.Tensor:
        """``[B, C, D, T']`` from interleaved codes; a channel left without a level gets zeros."""
        batch, _, frames = codes.shape
        latents = []
        for channel in range(self.channels):
            levels = codes[:, channel::self.channels]
            if levels.shape[1]:
                latents.append(self.model.from_codes(levels))
            else:
                latents.append(torch.zeros(batch, self.model.latent_dim, frames,
                                           dtype=self._dtype, device=codes.device))
        return torch.stack(latents, dim=1)

    @torch.no_grad()
    def _decode_frames(self, codes: torch.Tensor) -> torch.Tensor:
        """``[B, C, frames * hop]``, zero-padded where the decoder stops short (stride 5 being odd)."""
        batch, _, frames = codes.shape
        audio = self.model.decoder(self._channel_latents(codes).flatten(0, 1))
        audio = F.pad(audio, (0, frames * self.hop - audio.shape[-1]))
        return audio.reshape(batch, self.channels, frames * self.hop)
