"""Converting a ``dac.DAC`` into transformers' ``DacModel`` with the same weights.

transformers ships no conversion script in its wheel. Both implementations
register their modules in the architecture's order (convolution, residual
units, snakes, quantizer projections and codebooks), so the conversion folds
DAC's weight normalization (w = g v / ||v||) into plain weights and pairs the
two models' parameter-holding modules in order, checking every shape.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from transformers import DacConfig, DacModel


def dac_to_transformers(model) -> DacModel:
    """A transformers DacModel (eval mode) holding ``model``'s weights."""
    config = DacConfig(
        sampling_rate=model.sample_rate, encoder_hidden_size=model.encoder_dim,
        downsampling_ratios=list(model.encoder_rates), decoder_hidden_size=model.decoder_dim,
        upsampling_ratios=list(model.decoder_rates), n_codebooks=model.n_codebooks,
        codebook_size=model.codebook_size, codebook_dim=model.codebook_dim,
        hidden_size=int(model.latent_dim), hop_length=int(model.hop_length))
    target = DacModel(config).eval()
    source_modules = _modules_in_order(_fold_weight_norm(model.state_dict()))
    target_modules = _modules_in_order(target.state_dict())
    converted = {}
    # the two implementations register encoder, quantizer and decoder in different orders: pair within each
    for part in ("encoder", "quantizer", "decoder"):
        sources, targets = _part(source_modules, part), _part(target_modules, part)
        if len(sources) != len(targets):
            raise ValueError(f"{part}: {len(sources)} modules in dac.DAC, {len(targets)} in DacModel")
        for (source_name, source), (target_name, wanted) in zip(sources, targets):
            if sorted(source) != sorted(wanted):
                raise ValueError(f"{source_name} {sorted(source)} does not pair with {target_name} {sorted(wanted)}")
            for leaf, tensor in source.items():
                if tensor.shape != wanted[leaf].shape:
                    raise ValueError(f"{source_name}.{leaf} {tuple(tensor.shape)} vs {target_name}.{leaf} "
                                     f"{tuple(wanted[leaf].shape)}")
                converted[f"{target_name}.{leaf}"] = tensor
    target.load_state_dict(converted, strict=True)
    return target


def _part(modules: dict, part: str) -> list:
    return [item for item in modules.items() if item[0].split(".")[0] == part]


def _fold_weight_norm(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    folded = OrderedDict()
    for key, tensor in state.items():
        if key.endswith(".weight_g"):
            continue
        if key.endswith(".weight_v"):
            prefix = key[: -len(".weight_v")]
            g = state[f"{prefix}.weight_g"]
            norm = tensor.flatten(1).norm(dim=1).reshape(g.shape)
            folded[f"{prefix}.weight"] = tensor * (g / norm)
        else:
            folded[key] = tensor
    return folded


def _modules_in_order(state: dict[str, torch.Tensor]) -> "OrderedDict[str, dict[str, torch.Tensor]]":
    modules: OrderedDict[str, dict[str, torch.Tensor]] = OrderedDict()
    for key, tensor in state.items():
        prefix, _, leaf = key.rpartition(".")
        modules.setdefault(prefix, {})[leaf] = tensor
    return modules
