"""SEANet's building blocks: padded convolutions, trimmed transposed convolutions,
residual blocks and the skip LSTM.

The padding arithmetic follows the encodec package to the sample, because a
single sample of difference shifts every frame boundary and changes the codes.
Weight normalization is not a module here: loaders fold it into ``conv.weight``
once, so inference never recomputes it.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .config import EncodecConfig


def extra_padding_for_conv1d(length: int, kernel_size: int, stride: int, padding_total: int) -> int:
    """Right padding that makes the last window of a strided convolution full."""
    n_frames = (length - kernel_size + padding_total) / stride + 1
    ideal_length = (math.ceil(n_frames) - 1) * stride + (kernel_size - padding_total)
    return ideal_length - length


def pad1d(x: torch.Tensor, left: int, right: int, mode: str) -> torch.Tensor:
    """``F.pad`` along time that also reflects inputs shorter than the padding (zeros first)."""
    if mode != "reflect":
        return F.pad(x, (left, right), mode)
    length = x.shape[-1]
    max_pad = max(left, right)
    extra = 0
    if length <= max_pad:
        extra = max_pad - length + 1
        x = F.pad(x, (0, extra))
    padded = F.pad(x, (left, right), mode)
    return padded[..., : padded.shape[-1] - extra]


class PaddedConv1d(nn.Module):
    """A convolution that pads its input (causally or symmetrically) so that the output
    has ``ceil(T / stride)`` frames, optionally followed by a one-group GroupNorm."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, stride: int = 1,
                 dilation: int = 1, causal: bool, pad_mode: str, group_norm: bool):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, stride, dilation=dilation)
        self.norm = nn.GroupNorm(1, out_channels) if group_norm else None
        self.causal = causal
        self.pad_mode = pad_mode
        self.effective_kernel = (kernel_size - 1) * dilation + 1
        self.padding_total = self.effective_kernel - stride

    def padding(self, length: int) -> tuple[int, int]:
        stride = self.conv.stride[0]
        extra = extra_padding_for_conv1d(length, self.effective_kernel, stride, self.padding_total)
        if self.causal:
            return self.padding_total, extra
        right = self.padding_total // 2
        return self.padding_total - right, right + extra

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left, right = self.padding(x.shape[-1])
        if left or right:
            x = pad1d(x, left, right, self.pad_mode)
        y = self.conv(x)
        return y if self.norm is None else self.norm(y)


class TrimmedConvTranspose1d(nn.Module):
    """A transposed convolution that trims the fixed padding its encoder twin added."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, stride: int,
                 causal: bool, trim_right_ratio: float, group_norm: bool):
        super().__init__()
        self.conv = nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride)
        self.norm = nn.GroupNorm(1, out_channels) if group_norm else None
        padding_total = kernel_size - stride
        right = math.ceil(padding_total * trim_right_ratio) if causal else padding_total // 2
        self.trim = (padding_total - right, right)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        if self.norm is not None:
            y = self.norm(y)
        left, right = self.trim
        return y[..., left: y.shape[-1] - right]


class ResidualBlock(nn.Module):
    """ELU, dilated convolution to ``dim // compress`` channels, ELU, 1x1 convolution back,
    plus the input (or a 1x1 convolution of it). ``block`` keeps the published layer indices."""

    def __init__(self, config: EncodecConfig, dim: int, dilation: int, group_norm: bool):
        super().__init__()
        hidden = dim // config.compress
        conv = dict(causal=config.causal, pad_mode=config.pad_mode, group_norm=group_norm)
        self.block = nn.ModuleList([
            nn.ELU(config.elu_alpha),
            PaddedConv1d(dim, hidden, config.residual_kernel_size, dilation=dilation, **conv),
            nn.ELU(config.elu_alpha),
            PaddedConv1d(hidden, dim, 1, **conv),
        ])
        self.shortcut = None if config.true_skip else PaddedConv1d(dim, dim, 1, **conv)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for layer in self.block:
            y = layer(y)
        return (x if self.shortcut is None else self.shortcut(x)) + y


class SkipLSTM(nn.Module):
    """A stack of LSTMs over time on ``[B, C, T]`` input, added to its input."""

    def __init__(self, dim: int, num_layers: int):
        super().__init__()
        self.lstm = nn.LSTM(dim, dim, num_layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(2, 0, 1)
        y = self.lstm(x)[0] + x
        return y.permute(1, 2, 0)
