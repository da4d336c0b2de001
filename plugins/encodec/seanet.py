"""SEANet encoder and decoder, built from an ``EncodecConfig``.

``layers`` lists the modules in the published order (activations included), so
a layer's index is the same as in the encodec package, audiocraft and
transformers, and their state dicts map onto ours by renaming only.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import EncodecConfig
from .layers import PaddedConv1d, ResidualBlock, SkipLSTM, TrimmedConvTranspose1d, run_layers


def _has_group_norm(config: EncodecConfig, disabled: bool) -> bool:
    return config.norm == "time_group_norm" and not disabled


class SEANetEncoder(nn.Module):
    """Audio ``[B, C, T]`` -> latent ``[B, dimension, ceil(T / hop)]``."""

    def __init__(self, config: EncodecConfig):
        super().__init__()
        conv = dict(causal=config.causal, pad_mode=config.pad_mode)
        off = config.disable_norm_outer_blocks
        n_blocks = len(config.ratios) + 2
        width = config.n_filters
        layers: list[nn.Module] = [PaddedConv1d(config.channels, width, config.kernel_size, **conv,
                                                group_norm=_has_group_norm(config, off >= 1))]
        for i, ratio in enumerate(reversed(config.ratios)):
            group_norm = _has_group_norm(config, off >= i + 2)
            layers += [ResidualBlock(config, width, config.dilation_base ** j, group_norm)
                       for j in range(config.n_residual_layers)]
            layers += [nn.ELU(config.elu_alpha),
                       PaddedConv1d(width, width * 2, ratio * 2, stride=ratio, **conv, group_norm=group_norm)]
            width *= 2
        if config.lstm_layers:
            layers.append(SkipLSTM(width, config.lstm_layers))
        layers += [nn.ELU(config.elu_alpha),
                   PaddedConv1d(width, config.dimension, config.last_kernel_size, **conv,
                                group_norm=_has_group_norm(config, off == n_blocks))]
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return run_layers(self.layers, x)


class SEANetDecoder(nn.Module):
    """Latent ``[B, dimension, T']`` -> audio ``[B, C, T' * hop]``."""

    def __init__(self, config: EncodecConfig):
        super().__init__()
        conv = dict(causal=config.causal, pad_mode=config.pad_mode)
        off = config.disable_norm_outer_blocks
        n_blocks = len(config.ratios) + 2
        width = config.n_filters * 2 ** len(config.ratios)
        layers: list[nn.Module] = [PaddedConv1d(config.dimension, width, config.kernel_size, **conv,
                                                group_norm=_has_group_norm(config, off == n_blocks))]
        if config.lstm_layers:
            layers.append(SkipLSTM(width, config.lstm_layers))
        for i, ratio in enumerate(config.ratios):
            group_norm = _has_group_norm(config, off >= n_blocks - (i + 1))
            layers += [nn.ELU(config.elu_alpha),
                       TrimmedConvTranspose1d(width, width // 2, ratio * 2, stride=ratio, causal=config.causal,
                                              trim_right_ratio=config.trim_right_ratio, group_norm=group_norm)]
            layers += [ResidualBlock(config, width // 2, config.dilation_base ** j, group_norm)
                       for j in range(config.n_residual_layers)]
            width //= 2
        layers += [nn.ELU(config.elu_alpha),
                   PaddedConv1d(width, config.channels, config.last_kernel_size, **conv,
                                group_norm=_has_group_norm(config, off >= 1))]
        self.layers = nn.ModuleList(layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return run_layers(self.layers, z)
