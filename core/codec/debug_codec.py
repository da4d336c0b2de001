"""A tiny, deterministic codec for demos and tests, shaped like audiocraft's
``debug_compression_model``: 32 kHz mono, hop 1280 (25 frames/s), 4 codebooks
of 400 entries, latent dimension 32. Its weights come from a fixed seed, so
every machine builds the same model; its sound is not meant to be good.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..registry.names import parse_int_option
from ..chunking.plan import StagedPlan
from .compression import CompressionModel
from ..chunking.stages import Convolutional

STRIDES = (10, 8, 16)
WIDTHS = (8, 16)


class DebugCompressionModel(CompressionModel, nn.Module):
    def __init__(self, sample_rate: int = 32000, channels: int = 1, dimension: int = 32,
                 cardinality: int = 400, total_codebooks: int = 4, seed: int = 0):
        nn.Module.__init__(self)
        self.hop = math.prod(STRIDES)
        self.set_metadata(sample_rate=sample_rate, channels=channels, frame_rate=sample_rate / self.hop,
                          cardinality=cardinality, total_codebooks=total_codebooks)
        widths = (channels, *WIDTHS, dimension)
        self.encoder = nn.Sequential(*_interleave_elu(
            [nn.Conv1d(widths[i], widths[i + 1], s, stride=s) for i, s in enumerate(STRIDES)]))
        self.decoder = nn.Sequential(*_interleave_elu(
            [nn.ConvTranspose1d(widths[i + 1], widths[i], s, stride=s)
             for i, s in reversed(list(enumerate(STRIDES)))]))
        self.register_buffer("codebooks", torch.zeros(total_codebooks, cardinality, dimension))
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for parameter in self.parameters():
                fan_in = parameter[0].numel() if parameter.dim() > 1 else 1
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / math.sqrt(fan_in))
            self._seed_codebooks(generator)
        self.eval()

    def _seed_codebooks(self, generator: torch.Generator) -> None:
        """Fill each codebook with residual latent frames of noise, layer by layer, as a
        k-means initialization would, so codes vary from frame to frame. Each layer takes
        frames the earlier layers were not seeded from: theirs have no residual left."""
        layers, size = self.codebooks.shape[:2]
        noise = torch.randn(1, self.channels, self.hop * size * layers, generator=generator)
        residual = self.encoder(noise)[0].T  # [frames, dim]
        for k in range(layers):
            self.codebooks[k] = residual[k * size:(k + 1) * size]
            residual = residual - self.codebooks[k][self._nearest(residual, k)]

    def _nearest(self, vectors: torch.Tensor, k: int) -> torch.Tensor:
        codebook = self.codebooks[k]
        distances = (vectors.pow(2).sum(-1, keepdim=True) - 2 * vectors @ codebook.T
                     + codebook.pow(2).sum(-1))
        return distances.argmin(-1)

    # contract: encode and decode are the base class's, through the coding plan ------
    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        self.check_codes(codes)
        return self._latent(codes)

    def coding_plan(self) -> StagedPlan:
        """Every convolution's stride is its kernel: a frame sees its own samples only (no context)."""
        return StagedPlan(encoder=[Convolutional(self._encode_frames, steps_in=self.hop)],
                          decoder=[Convolutional(self._decode_frames, steps_out=self.hop)], hop=self.hop)

    # internals ------------------------------------------------------------
    @torch.no_grad()
    def _encode_frames(self, x: torch.Tensor) -> torch.Tensor:
        latent = self.encoder(nn.functional.pad(x, (0, -x.shape[-1] % self.hop)))  # [B, D, T']
        residual = latent.transpose(1, 2)  # [B, T', D]
        codes = []
        for k in range(self.num_codebooks):
            index = self._nearest(residual, k)
            codes.append(index)
            residual = residual - self.codebooks[k][index]
        return torch.stack(codes, dim=1).long()

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        latent = sum(self.codebooks[k][codes[:, k]] for k in range(codes.shape[1]))
        return latent.transpose(1, 2)

    @torch.no_grad()
    def _decode_frames(self, codes: torch.Tensor) -> torch.Tensor:
        return self.decoder(self._latent(codes))


def _interleave_elu(layers: list[nn.Module]) -> list[nn.Module]:
    out: list[nn.Module] = []
    for layer in layers:
        out += [layer, nn.ELU()]
    return out[:-1]


def build(device="cpu", channels: str = "1") -> DebugCompressionModel:
    return DebugCompressionModel(channels=parse_int_option("channels", channels, example="2 for stereo")).to(device)
