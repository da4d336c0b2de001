"""SEANet's building blocks: padded convolutions, trimmed transposed convolutions,
residual blocks and the skip LSTM.

The padding arithmetic follows the encodec package to the sample, because a
single sample of difference shifts every frame boundary and changes the codes.
Weight normalization is not a module here: loaders fold it into ``conv.weight``
once, so inference never recomputes it.

Every operation gives bit-identical results to the reference modules (the same
kernels on the same values), but the activations write into reused buffers
(``Scratch``) instead of fresh tensors: a fresh 80 MB tensor costs its page
faults again on every call, more than the ELU computed into it.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .config import EncodecConfig


class Scratch:
    """Buffers reused within one forward pass, by role and shape."""

    def __init__(self) -> None:
        self._buffers: dict[tuple, torch.Tensor] = {}

    def get(self, role: str, like: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
        key = (role, shape, like.dtype, like.device)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = torch.empty(shape, dtype=like.dtype, device=like.device)
        return buffer


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


def pad_into(x: torch.Tensor, left: int, right: int, mode: str, scratch: Scratch | None) -> torch.Tensor:
    """``pad1d``, written into a reused buffer for the common cases."""
    length = x.shape[-1]
    if scratch is None or mode not in ("reflect", "constant") or (mode == "reflect" and length <= max(left, right)):
        return pad1d(x, left, right, mode)
    out = scratch.get("padded", x, (*x.shape[:-1], left + length + right))
    out[..., left: left + length].copy_(x)
    if mode == "constant":
        out[..., :left].zero_()
        out[..., left + length:].zero_()
    else:
        if left:
            out[..., :left].copy_(x[..., 1: left + 1].flip(-1))
        if right:
            out[..., left + length:].copy_(x[..., length - 1 - right: length - 1].flip(-1))
    return out


def elu(x: torch.Tensor, alpha: float, scratch: Scratch | None, owned: bool) -> torch.Tensor:
    """ELU in place when the caller owns ``x``, else into a reused buffer when ``x`` is contiguous.

    Both run ``F.elu``'s kernel over the same memory order as ``F.elu(x)`` would, so the
    same elements take its vectorized path and its scalar tail: the same bits.
    """
    if owned:
        return F.elu_(x, alpha)
    if scratch is None or not x.is_contiguous():
        return F.elu(x, alpha)
    return torch._C._nn.elu(x, alpha, 1, 1, out=scratch.get("activated", x, tuple(x.shape)))


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
        # the weight as matrices for time-major coding (time_major.py), filled by prepare_taps
        self.register_buffer("taps", torch.empty(0), persistent=False)

    def prepare_taps(self) -> None:
        """``taps [m, stride * C_in, C_out]`` for a kernel of ``m * stride``: tap ``j`` multiplies the
        input seen as rows of ``stride`` steps, shifted by ``j * dilation`` rows."""
        weight = self.conv.weight.detach()  # [C_out, C_in, kernel]
        c_out, c_in, kernel = weight.shape
        stride, dilation = self.conv.stride[0], self.conv.dilation[0]
        if kernel % stride or (stride > 1 and dilation > 1):
            raise ValueError(f"time-major SEANet needs a kernel that is a multiple of the stride and no dilation "
                             f"with a stride, got kernel {kernel}, stride {stride}, dilation {dilation}")
        taps = weight.view(c_out, c_in, kernel // stride, stride).permute(2, 3, 1, 0)
        self.taps = taps.reshape(kernel // stride, stride * c_in, c_out).contiguous()

    def padding(self, length: int) -> tuple[int, int]:
        stride = self.conv.stride[0]
        extra = extra_padding_for_conv1d(length, self.effective_kernel, stride, self.padding_total)
        if self.causal:
            return self.padding_total, extra
        right = self.padding_total // 2
        return self.padding_total - right, right + extra

    def forward(self, x: torch.Tensor, activation: nn.ELU | None = None, scratch: Scratch | None = None,
                owned: bool = False) -> torch.Tensor:
        """``conv(pad(activation(x)))``; ``owned``: ``x`` may be overwritten."""
        if activation is not None:
            x = elu(x, activation.alpha, scratch, owned)
        left, right = self.padding(x.shape[-1])
        if left or right:
            x = pad_into(x, left, right, self.pad_mode, scratch)
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
        # the weight as matrices for time-major coding (time_major.py), filled by prepare_taps
        self.register_buffer("taps", torch.empty(0), persistent=False)
        self.register_buffer("tap_bias", torch.empty(0), persistent=False)

    def prepare_taps(self) -> None:
        """``taps [2, C_in, stride * C_out]``: the first and second half of the kernel, each giving
        ``stride`` output steps per input step; ``tap_bias`` is the bias repeated to match."""
        weight = self.conv.weight.detach()  # [C_in, C_out, 2 * stride]
        c_in, c_out, kernel = weight.shape
        stride = self.conv.stride[0]
        if kernel != 2 * stride:
            raise ValueError(f"time-major decoding needs kernel = 2 * stride, got {kernel} and {stride}")
        halves = weight.view(c_in, c_out, 2, stride).permute(2, 0, 3, 1)  # [half, C_in, step, C_out]
        self.taps = halves.reshape(2, c_in, stride * c_out).contiguous()
        self.tap_bias = self.conv.bias.detach().repeat(stride)

    def forward(self, x: torch.Tensor, activation: nn.ELU | None = None, scratch: Scratch | None = None,
                owned: bool = False) -> torch.Tensor:
        if activation is not None:
            x = elu(x, activation.alpha, scratch, owned)
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

    def forward(self, x: torch.Tensor, scratch: Scratch | None = None) -> torch.Tensor:
        first_activation, first, second_activation, second = self.block
        hidden = first(x, first_activation, scratch)
        y = second(hidden, second_activation, scratch, owned=True)
        return y.add_(x if self.shortcut is None else self.shortcut(x, scratch=scratch))


class SkipLSTM(nn.Module):
    """A stack of LSTMs over time on ``[B, C, T]`` input, added to its input."""

    def __init__(self, dim: int, num_layers: int):
        super().__init__()
        self.lstm = nn.LSTM(dim, dim, num_layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.step(x, None)[0]

    def step(self, x: torch.Tensor, state: tuple | None) -> tuple[torch.Tensor, tuple]:
        """``forward`` from ``state`` (None: zeros), with the state after the last step: long
        audio runs it chunk after chunk."""
        x = x.permute(2, 0, 1)
        y, state = self.lstm(x, state)
        return y.add_(x).permute(1, 2, 0), state


def run_layers(layers: nn.ModuleList, x: torch.Tensor, owned: bool = False) -> torch.Tensor:
    """Apply SEANet's layer list, each ELU fused into the convolution that follows it."""
    scratch = Scratch()
    activation = None
    for layer in layers:
        if isinstance(layer, nn.ELU):
            activation = layer
        elif isinstance(layer, (PaddedConv1d, TrimmedConvTranspose1d)):
            x, activation, owned = layer(x, activation, scratch, owned), None, True
        elif isinstance(layer, ResidualBlock):
            x, owned = layer(x, scratch), True
        else:
            x, owned = layer(x), True
    return x
