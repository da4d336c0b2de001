"""SEANet's layers run time-major (``[B, T, C]``), every convolution as matrix products.

In this layout a convolution tap is a product of a block of rows, which BLAS
reads in place, with a ``[C_in, C_out]`` matrix; a convolution of stride ``r``
and kernel ``m * r`` sees its padded input as rows of ``r`` steps
(``[T / r, r * C_in]``, a view) and is ``m`` such products; the first
convolution, with one or two input channels, unfolds its taps into one matrix;
a transposed convolution of stride ``r`` is two products written into the rows
of its output seen as ``[T + 1, r * C_out]``; padding is copying a few rows, and
an activation runs in place on the padded buffer. Measured on a 2-core AVX2 CPU
this runs the convolutions about twice as fast as ``conv1d``/``conv_transpose1d``
in ``[B, C, T]``. The results differ from the reference in the last bits: decoded
audio within 1e-5, and codes that differ from the reference's only at near-ties
(``codecreg.testing.count_near_tie_differences``). Every product and activation
is row-stable (``row_stable.py``), so chunked and one-pass encodes are identical.

The matrices are the layers' ``taps`` buffers, computed from their weights by
``prepare_time_major``.
"""

from __future__ import annotations

import torch
from torch import nn

from .layers import PaddedConv1d, ResidualBlock, SkipLSTM, TrimmedConvTranspose1d, pad1d
from .row_stable import elu_, multiply_into, vector_buffer

UNFOLD_BELOW = 8  # input channels under which a convolution unfolds its taps into one product


def prepare_time_major(model: nn.Module) -> None:
    """(Re)compute the matrices of every convolution of ``model`` from its weights."""
    for module in model.modules():
        if isinstance(module, (PaddedConv1d, TrimmedConvTranspose1d)):
            module.prepare_taps()


def decode(decoder: nn.Module, latent: torch.Tensor) -> torch.Tensor:
    """``latent [B, T', D]`` (time-major) -> audio ``[B, C, T' * hop]``."""
    return run_time_major(decoder.layers, latent).transpose(1, 2).contiguous()


def run_time_major(layers: nn.ModuleList, x: torch.Tensor) -> torch.Tensor:
    """SEANet ``layers`` on time-major ``x [B, T, C]``, each ELU fused into the layer that follows it.
    Convolutions never write ``x``; a transposed convolution activates its input in place."""
    activation = None
    for layer in layers:
        if isinstance(layer, nn.ELU):
            activation = layer
            continue
        if isinstance(layer, PaddedConv1d):
            x = convolution(layer, x, activation)
        elif isinstance(layer, TrimmedConvTranspose1d):
            x = transposed_convolution(layer, x, activation)
        elif isinstance(layer, ResidualBlock):
            x = residual_block(layer, x)
        elif isinstance(layer, SkipLSTM):
            x = skip_lstm(layer, x)
        else:
            raise TypeError(f"time-major SEANet has no rule for {type(layer).__name__}")
        activation = None
    return x


def convolution(layer: PaddedConv1d, x: torch.Tensor, activation: nn.ELU | None) -> torch.Tensor:
    taps, bias = layer.taps, layer.conv.bias
    batch, length, channels = x.shape
    stride, dilation = layer.conv.stride[0], layer.conv.dilation[0]
    left, right = layer.padding(length)
    padded = _padded(x, left, right, layer.pad_mode, activation)
    frames = (padded.shape[1] - layer.effective_kernel) // stride + 1
    out = vector_buffer((batch, frames, taps.shape[2]), x)
    if channels < UNFOLD_BELOW and stride == 1 and dilation == 1:
        kernel = taps.shape[0]
        columns = padded.as_strided((batch, frames, kernel * channels),
                                    (padded.stride(0), channels, 1)).contiguous()
        for b in range(batch):
            multiply_into(out[b], columns[b], taps.view(kernel * channels, -1), bias)
    else:
        rows = padded.view(batch, -1, stride * channels)  # a row: the input steps of one output step
        for b in range(batch):
            multiply_into(out[b], rows[b, :frames], taps[0], bias)
            for j in range(1, taps.shape[0]):
                multiply_into(out[b], rows[b, j * dilation: j * dilation + frames], taps[j])
    return out if layer.norm is None else _group_norm(out, layer.norm)


def transposed_convolution(layer: TrimmedConvTranspose1d, x: torch.Tensor,
                           activation: nn.ELU | None) -> torch.Tensor:
    first, second = layer.taps
    if activation is not None:
        x = elu_(x, activation.alpha)
    batch, length, _ = x.shape
    stride = layer.conv.stride[0]
    blocks = vector_buffer((batch, length + 1, first.shape[1]), x)
    for b in range(batch):
        multiply_into(blocks[b, :length], x[b], first, layer.tap_bias)
        blocks[b, length].copy_(layer.tap_bias)
        multiply_into(blocks[b, 1:], x[b], second)
    out = blocks.view(batch, (length + 1) * stride, -1)
    if layer.norm is not None:
        out = _group_norm(out, layer.norm)
    left, right = layer.trim
    return out[:, left: out.shape[1] - right]


def residual_block(block: ResidualBlock, x: torch.Tensor) -> torch.Tensor:
    first_activation, first, second_activation, second = block.block
    hidden = convolution(first, x, first_activation)
    y = convolution(second, elu_(hidden, second_activation.alpha), None)
    return y.add_(x if block.shortcut is None else convolution(block.shortcut, x, None))


def skip_lstm(layer: SkipLSTM, x: torch.Tensor) -> torch.Tensor:
    steps = x.transpose(0, 1)  # [T, B, C], what nn.LSTM reads
    return layer.lstm(steps)[0].add_(steps).transpose(0, 1)


def _padded(x: torch.Tensor, left: int, right: int, mode: str, activation: nn.ELU | None) -> torch.Tensor:
    """``activation(x)`` with ``left``/``right`` rows of padding, in a new contiguous buffer (or ``x``
    itself when it is contiguous and needs neither)."""
    batch, length, channels = x.shape
    if not (left or right) and activation is None and x.is_contiguous():
        return x
    out = vector_buffer((batch, left + length + right, channels), x)
    if mode not in ("reflect", "constant") or (mode == "reflect" and length <= max(left, right)):
        out.copy_(pad1d(x.transpose(1, 2), left, right, mode).transpose(1, 2))
    else:
        interior = out[:, left: left + length]
        interior.copy_(x)
        if mode == "constant":
            out[:, :left].zero_()
            out[:, left + length:].zero_()
        else:
            if left:
                out[:, :left].copy_(interior[:, 1: left + 1].flip(1))
            if right:
                out[:, left + length:].copy_(interior[:, length - 1 - right: length - 1].flip(1))
    # ELU after padding is ELU before it: padding copies samples (or zeros, and ELU(0) = 0)
    return out if activation is None else elu_(out, activation.alpha)


def _group_norm(x: torch.Tensor, norm: nn.GroupNorm) -> torch.Tensor:
    """One-group GroupNorm of ``[B, T, C]``: statistics over each item, affine per channel."""
    flat = x.reshape(x.shape[0], -1)
    variance, mean = torch.var_mean(flat, dim=1, unbiased=False, keepdim=True)
    scale = torch.rsqrt(variance + norm.eps)
    normalized = ((flat - mean) * scale).view_as(x)
    return normalized.mul_(norm.weight).add_(norm.bias)
