"""Mu-law companding: x -> sign(x) ln(1 + mu|x|) / ln(1 + mu), quantized to 256 levels."""

import math

import torch
from torch import nn

from codecreg import CompressionModel

MU = 255


class MuLawCodec(CompressionModel, nn.Module):
    def __init__(self, sample_rate: int):
        nn.Module.__init__(self)
        self.set_metadata(sample_rate=sample_rate, channels=1, frame_rate=sample_rate, cardinality=MU + 1,
                          total_codebooks=1)

    def encode(self, x):
        self.check_audio(x)
        companded = torch.sign(x) * torch.log1p(MU * x.clamp(-1, 1).abs()) / math.log1p(MU)
        return torch.round((companded + 1) / 2 * MU).long(), None

    def decode_latent(self, codes):
        self.check_codes(codes)
        return codes.float() / MU * 2 - 1

    def decode(self, codes, scale=None, length=None):
        companded = self.decode_latent(codes)
        audio = torch.sign(companded) * ((1 + MU) ** companded.abs() - 1) / MU
        return self.trim_to_length(audio, length)


def build_8khz(device="cpu"):
    return MuLawCodec(8000).to(device)


def build_16khz(device="cpu"):
    return MuLawCodec(16000).to(device)
