"""Our own DAC: encoder, decoder and residual quantizer loading Descript's weights.

The layers mirror the ``dac`` package's module tree (``encoder.block.1.block.0.block.1`` ...), so
its state dict maps onto ours by folding each weight-norm pair (``weight_g``, ``weight_v``) into
one ``weight`` at load, with ``torch._weight_norm``, the function the package calls at every
forward pass. What differs is how the layers run:

- Time-major activations. Between layers a signal is ``[N, C, 1, T]`` in channels-last memory,
  i.e. ``[N, T, C]`` rows: oneDNN's convolutions run about twice as fast on it as on the
  package's ``[N, C, T]`` for the wide, shallow layers at the full sample rate, where most of the
  time goes (``conv2d`` with a ``1 x k`` kernel; measured per layer, docs/dac.md).
- Snake fused into four in-place passes over one reused buffer (``x * alpha``, ``sin``, square,
  ``x + square / alpha``), instead of the package's TorchScript function whose every step writes
  a fresh tensor (page faults on tensors of 100 MB and more cost more than the arithmetic).
- Residual additions in place; the quantizer's projections as matrix products on time-major
  frames.

Module boundaries stay channels-first (``encoder(x [N, 1, T]) -> [N, D, T']``,
``decoder(z [N, D, T']) -> [N, 1, T]``), as the package's, so core's coding plan and
``receptive_context`` see the same shapes and layers. Results differ from the package's in the last
bits (other kernels): codes equal its codes up to near-ties, audio within 1e-4
(``codecreg_dac.parity``, docs/dac.md).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import torch
from torch import nn
from torch.nn import functional as F


class Snake(nn.Module):
    """``x + sin(alpha x)^2 / (alpha + 1e-9)`` per channel, on time-major ``[N, T, C]`` rows."""

    def __init__(self, channels: int):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1, channels, 1))
        self.register_buffer("row_alpha", torch.empty(0), persistent=False)
        self.register_buffer("row_inverse", torch.empty(0), persistent=False)

    def prepare(self) -> None:
        alpha = self.alpha.detach().reshape(-1)
        self.row_alpha = alpha.clone()
        self.row_inverse = (alpha + 1e-9).reciprocal()

    def apply_into(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """``snake(x)`` into ``out`` (both ``[N, T, C]`` contiguous, distinct)."""
        torch.mul(x, self.row_alpha, out=out)
        out.sin_()
        out.mul_(out)
        return torch.addcmul(x, out, self.row_inverse, out=out)


class Scratch:
    """One reusable buffer for a forward pass, viewed to each Snake output's shape: a Snake output is
    consumed by the convolution that follows it before the next Snake runs, so all of them can share
    one storage. It grows to the largest signal of the pass (one per shape would hold every
    stage's size at once: about 450 MB more in a 10 s chunk of the 44.1 kHz decoder)."""

    def __init__(self) -> None:
        self._buffer: torch.Tensor | None = None

    def get(self, like: torch.Tensor) -> torch.Tensor:
        buffer = self._buffer
        if buffer is None or buffer.numel() < like.numel() or (buffer.dtype, buffer.device) != (like.dtype,
                                                                                               like.device):
            self._buffer = buffer = None  # the old storage goes before the larger one is made
            self._buffer = buffer = torch.empty(like.numel(), dtype=like.dtype, device=like.device)
        return buffer[:like.numel()].view(like.shape)


def _rows(x: torch.Tensor) -> torch.Tensor:
    """``[N, C, 1, T]`` channels-last -> its memory as ``[N, T, C]`` (a view)."""
    return x.permute(0, 2, 3, 1).squeeze(1)


def _signal(rows: torch.Tensor) -> torch.Tensor:
    """``[N, T, C]`` contiguous -> ``[N, C, 1, T]`` channels-last (a view)."""
    return rows.unsqueeze(1).permute(0, 3, 1, 2)


def snake(layer: Snake, x: torch.Tensor, scratch: Scratch) -> torch.Tensor:
    rows = _rows(x)
    return _signal(layer.apply_into(rows, scratch.get(rows)))


def _time_major(x: torch.Tensor) -> torch.Tensor:
    """``[N, C, T]`` -> ``[N, C, 1, T]`` channels-last (a copy)."""
    return x.unsqueeze(2).contiguous(memory_format=torch.channels_last)


def _channels_first(x: torch.Tensor) -> torch.Tensor:
    return x.squeeze(2).contiguous()


def conv(layer: nn.Conv1d, x: torch.Tensor) -> torch.Tensor:
    return F.conv2d(x, layer.weight.unsqueeze(2), layer.bias, stride=(1, layer.stride[0]),
                    padding=(0, layer.padding[0]), dilation=(1, layer.dilation[0]))


class Upsampling(nn.ConvTranspose1d):
    """DAC's transposed convolution (kernel ``2 x stride``), run as an ordinary one.

    Output step ``s q + r`` of a transposed convolution of stride ``s`` and kernel ``2 s`` is
    ``W[:, :, r]^T x[q] + W[:, :, s + r]^T x[q - 1]``: a kernel-2 convolution whose ``s x C_out``
    outputs are the ``s`` phases. In time-major memory its rows ``[T + 1, s, C_out]`` are already
    the interleaved signal ``[(T + 1) s, C_out]``; the padding is cropped from both ends. oneDNN
    runs it near the matrix-product rate, the transposed kernel at about half that (docs/dac.md).
    ``prepare`` replaces the weight by the phase weight, so the layer is held once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_buffer("phase_weight", torch.empty(0), persistent=False)
        self.register_buffer("phase_bias", torch.empty(0), persistent=False)

    def prepare(self) -> None:
        stride = self.stride[0]
        weight = self.weight.detach()  # [C_in, C_out, 2 s], tap k = h s + r
        inputs, outputs, taps = weight.shape
        if taps != 2 * stride:
            raise ValueError(f"Upsampling needs a kernel of twice the stride, got {taps} for stride {stride}")
        # phase r, tap j: j = 0 meets x[q - 1] (h = 1), j = 1 meets x[q] (h = 0)
        phases = weight.view(inputs, outputs, 2, stride).flip(2).permute(3, 1, 0, 2)
        self.phase_weight = phases.reshape(stride * outputs, inputs, 1, 2).contiguous()
        self.phase_bias = self.bias.detach().repeat(stride)
        del self.weight
        self.register_parameter("weight", None)

    def run(self, x: torch.Tensor) -> torch.Tensor:
        """``[N, C_in, 1, T]`` channels-last -> ``[N, C_out, 1, (T + 1) s - 2 p]`` channels-last."""
        stride, crop = self.stride[0], self.padding[0]
        rows = _rows(F.conv2d(x, self.phase_weight, self.phase_bias, padding=(0, 1)))  # [N, T + 1, s C_out]
        batch, steps, _ = rows.shape
        signal = rows.reshape(batch, steps * stride, -1)[:, crop:steps * stride - crop]
        return _signal(signal.contiguous())


class ResidualUnit(nn.Module):
    def __init__(self, dim: int, dilation: int):
        super().__init__()
        self.block = nn.ModuleList([Snake(dim), nn.Conv1d(dim, dim, 7, dilation=dilation, padding=3 * dilation),
                                    Snake(dim), nn.Conv1d(dim, dim, 1)])

    def run(self, x: torch.Tensor, scratch: Scratch) -> torch.Tensor:
        first_snake, first, second_snake, second = self.block
        hidden = conv(first, snake(first_snake, x, scratch))
        activated = snake(second_snake, hidden, scratch)
        del hidden  # freed before the output is made: three signals live at once, not four
        y = conv(second, activated)
        return y.add_(x)  # the package crops x when y is shorter: with its padding it never is


class EncoderBlock(nn.Module):
    def __init__(self, dim: int, stride: int):
        super().__init__()
        half = dim // 2
        self.block = nn.ModuleList([ResidualUnit(half, 1), ResidualUnit(half, 3), ResidualUnit(half, 9), Snake(half),
                                    nn.Conv1d(half, dim, 2 * stride, stride=stride, padding=math.ceil(stride / 2))])

    def run(self, x: torch.Tensor, scratch: Scratch) -> torch.Tensor:
        *units, last_snake, down = self.block
        for unit in units:
            x = unit.run(x, scratch)
        return conv(down, snake(last_snake, x, scratch))


class Encoder(nn.Module):
    """Audio ``[N, 1, T]`` (T a multiple of the hop) -> latent ``[N, D, T / hop]``."""

    def __init__(self, d_model: int, strides: list[int], d_latent: int):
        super().__init__()
        block: list[nn.Module] = [nn.Conv1d(1, d_model, 7, padding=3)]
        for stride in strides:
            d_model *= 2
            block.append(EncoderBlock(d_model, stride))
        block += [Snake(d_model), nn.Conv1d(d_model, d_latent, 3, padding=1)]
        self.block = nn.ModuleList(block)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first, *blocks, last_snake, last = self.block
        scratch = Scratch()
        h = conv(first, _time_major(x))
        for block in blocks:
            h = block.run(h, scratch)
        return _channels_first(conv(last, snake(last_snake, h, scratch)))


class DecoderBlock(nn.Module):
    def __init__(self, input_dim: int, output_dim: int, stride: int):
        super().__init__()
        self.block = nn.ModuleList([
            Snake(input_dim),
            Upsampling(input_dim, output_dim, 2 * stride, stride=stride, padding=math.ceil(stride / 2)),
            ResidualUnit(output_dim, 1), ResidualUnit(output_dim, 3), ResidualUnit(output_dim, 9)])

    def run(self, x: torch.Tensor, scratch: Scratch) -> torch.Tensor:
        first_snake, up, *units = self.block
        x = up.run(snake(first_snake, x, scratch))
        for unit in units:
            x = unit.run(x, scratch)
        return x


class Decoder(nn.Module):
    """Latent ``[N, D, T']`` -> audio ``[N, 1, T]`` (``T' * hop``, 8 fewer for stride 5)."""

    def __init__(self, input_channel: int, channels: int, rates: list[int], d_out: int = 1):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv1d(input_channel, channels, 7, padding=3)]
        for i, stride in enumerate(rates):
            layers.append(DecoderBlock(channels // 2 ** i, channels // 2 ** (i + 1), stride))
        output_dim = channels // 2 ** len(rates)
        layers += [Snake(output_dim), nn.Conv1d(output_dim, d_out, 7, padding=3), nn.Tanh()]
        self.model = nn.ModuleList(layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        first, *blocks, last_snake, last, _ = self.model
        scratch = Scratch()
        h = conv(first, _time_major(z))
        for block in blocks:
            h = block.run(h, scratch)
        return _channels_first(conv(last, snake(last_snake, h, scratch))).tanh_()


class VectorQuantize(nn.Module):
    """One level: project to ``codebook_dim``, cosine lookup against the L2-normalized codebook,
    the entry projected back."""

    def __init__(self, input_dim: int, codebook_size: int, codebook_dim: int):
        super().__init__()
        self.in_proj = nn.Conv1d(input_dim, codebook_dim, 1)
        self.out_proj = nn.Conv1d(codebook_dim, input_dim, 1)
        self.codebook = nn.Embedding(codebook_size, codebook_dim)
        self.register_buffer("unit_codebook", torch.empty(0), persistent=False)

    def prepare(self) -> None:
        self.unit_codebook = F.normalize(self.codebook.weight.detach()).t().contiguous()  # [d, N]

    def project(self, rows: torch.Tensor) -> torch.Tensor:
        """``[M, D]`` frames -> ``[M, d]``, the package's ``in_proj``."""
        return torch.addmm(self.in_proj.bias, rows, self.in_proj.weight[:, :, 0].t())

    def lookup(self, projected: torch.Tensor) -> torch.Tensor:
        """Indices ``[M]``: the package's ``argmax(-(|e|^2 - 2 e.c + |c|^2))`` of normalized ``e``, ``c``."""
        e = F.normalize(projected)
        c = self.unit_codebook
        distance = e.pow(2).sum(1, keepdim=True) - 2 * (e @ c) + c.pow(2).sum(0, keepdim=True)
        return (-distance).max(1)[1]

    def entries(self, indices: torch.Tensor) -> torch.Tensor:
        """``[M]`` indices -> ``[M, D]``: the entries projected back (``out_proj``)."""
        return torch.addmm(self.out_proj.bias, self.codebook.weight[indices], self.out_proj.weight[:, :, 0].t())


class ResidualVectorQuantize(nn.Module):
    def __init__(self, input_dim: int, n_codebooks: int, codebook_size: int, codebook_dim: int | list[int]):
        super().__init__()
        dims = [codebook_dim] * n_codebooks if isinstance(codebook_dim, int) else list(codebook_dim)
        self.quantizers = nn.ModuleList([VectorQuantize(input_dim, codebook_size, dims[i]) for i in range(n_codebooks)])


class NativeDac(nn.Module):
    """DAC built from the package's keyword arguments; ``load(state_dict)`` takes its weights."""

    def __init__(self, encoder_dim: int = 64, encoder_rates: list[int] = (2, 4, 8, 8), latent_dim: int | None = None,
                 decoder_dim: int = 1536, decoder_rates: list[int] = (8, 8, 4, 2), n_codebooks: int = 9,
                 codebook_size: int = 1024, codebook_dim: int | list[int] = 8, quantizer_dropout: Any = False,
                 sample_rate: int = 44100):
        super().__init__()
        self.encoder_rates = list(encoder_rates)
        self.decoder_rates = list(decoder_rates)
        self.sample_rate = sample_rate
        self.latent_dim = latent_dim if latent_dim is not None else encoder_dim * 2 ** len(encoder_rates)
        self.n_codebooks = n_codebooks
        self.codebook_size = codebook_size
        self.encoder = Encoder(encoder_dim, self.encoder_rates, self.latent_dim)
        self.quantizer = ResidualVectorQuantize(self.latent_dim, n_codebooks, codebook_size, codebook_dim)
        self.decoder = Decoder(self.latent_dim, decoder_dim, self.decoder_rates)

    def prepare(self) -> None:
        """Derived buffers from the weights: Snake's per-row factors, normalized codebooks, the
        upsamplings' phase weights."""
        for module in self.modules():
            if isinstance(module, (Snake, VectorQuantize, Upsampling)):
                module.prepare()

    def quantize(self, latent: torch.Tensor, levels: int) -> torch.Tensor:
        """``[N, D, T']`` -> the first ``levels`` codebooks' indices ``[N, levels, T']``."""
        batch, dim, frames = latent.shape
        residual = latent.transpose(1, 2).reshape(batch * frames, dim).contiguous()
        indices = []
        for quantizer in self.quantizer.quantizers[:levels]:
            level = quantizer.lookup(quantizer.project(residual))
            indices.append(level)
            residual = residual - quantizer.entries(level)
        return torch.stack(indices, dim=1).view(batch, frames, levels).transpose(1, 2)

    def from_codes(self, codes: torch.Tensor) -> torch.Tensor:
        """``[N, K, T']`` -> the quantized latent ``[N, D, T']`` (the sum of the levels' entries)."""
        batch, levels, frames = codes.shape
        flat = codes.transpose(1, 2).reshape(batch * frames, levels)
        latent = None
        for k, quantizer in enumerate(self.quantizer.quantizers[:levels]):
            entries = quantizer.entries(flat[:, k])
            latent = entries if latent is None else latent.add_(entries)
        return latent.view(batch, frames, -1).transpose(1, 2)


def fold_weight_norm(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The package's state dict with each ``weight_g``/``weight_v`` pair folded into ``weight``.
    ``state_dict`` is emptied as it goes, so that the weights are held about once, not twice."""
    folded: dict[str, torch.Tensor] = {}
    for key in list(state_dict):
        if key.endswith(".weight_v"):
            prefix = key[: -len("weight_v")]
            folded[prefix + "weight"] = torch._weight_norm(state_dict.pop(key), state_dict.pop(prefix + "weight_g"), 0)
        elif not key.endswith(".weight_g") and key in state_dict:
            folded[key] = state_dict.pop(key)
    if state_dict:
        raise KeyError(f"weight_g without its weight_v: {', '.join(sorted(state_dict))}")
    return folded


def build_native(kwargs: Mapping[str, Any], state_dict: dict[str, torch.Tensor]) -> NativeDac:
    """A ``NativeDac`` of the package's keyword arguments holding ``state_dict``'s weights, folded
    (``state_dict`` is emptied); built on the meta device and assigned the tensors (``strict``:
    nothing left unassigned)."""
    with torch.device("meta"):
        model = NativeDac(**kwargs)
    model.load_state_dict(fold_weight_norm(state_dict), strict=True, assign=True)
    model.prepare()
    return model.eval()
