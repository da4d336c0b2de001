"""Putting a published state dict into our model: rename, fold weight norm, check.

The three published layouts name the same tensors differently:

===========================  ==========================================  ===================================
ours                         encodec package / audiocraft                transformers
===========================  ==========================================  ===================================
encoder.layers.0.conv.weight encoder.model.0.conv.conv.weight_g/_v       encoder.layers.0.conv.parametriza-
                                                                         tions.weight.original0/1 (or _g/_v)
decoder.layers.3.conv.weight decoder.model.3.convtr.convtr.weight_g/_v   decoder.layers.3.conv...
encoder.layers.0.norm.weight encoder.model.0.conv.norm.weight            encoder.layers.0.norm.weight
quantizer.codebooks[k]       quantizer.vq.layers.k._codebook.embed       quantizer.layers.k.codebook.embed
===========================  ==========================================  ===================================

Weight normalization (``w = g * v / ||v||``) is computed here once, with the
same function the reference modules call at every forward pass, so the folded
weights are bit-identical to the ones they use.
"""

from __future__ import annotations

import re
from typing import Mapping

import torch

from codecreg import CheckpointError

from .config import EncodecConfig
from .model import EncodecCodec

_RENAMES = (
    (re.compile(r"^(encoder|decoder)\.model\."), r"\1.layers."),
    (re.compile(r"\.(conv|convtr)\.(conv|convtr)\."), ".conv."),
    (re.compile(r"\.(conv|convtr)\.norm\."), ".norm."),
    (re.compile(r"\.parametrizations\.weight\.original0$"), ".weight_g"),
    (re.compile(r"\.parametrizations\.weight\.original1$"), ".weight_v"),
)
_CODEBOOK = re.compile(r"^quantizer\.(?:vq\.)?layers\.(\d+)\.(?:_codebook|codebook)\.(embed|inited|cluster_size|embed_avg)$")


def to_our_layout(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename any published layout into ours, fold weight norm and stack the codebooks.

    Each entry of ``state`` is taken once, and a weight-norm pair only while it is folded,
    so a lazily read ``state`` (codecreg.checkpoints.SafetensorsFile) is never held whole beside the result.
    """
    sources: dict[str, str] = {}  # our name -> the checkpoint's
    codebooks: dict[int, str] = {}
    for key in state:
        match = _CODEBOOK.match(key)
        if match:
            if match.group(2) == "embed":
                codebooks[int(match.group(1))] = key
            continue  # training statistics
        ours = key
        for pattern, replacement in _RENAMES:
            ours = pattern.sub(replacement, ours)
        sources[ours] = key
    folded = {}
    for ours, key in sources.items():
        if ours.endswith(".weight_v"):
            continue
        if ours.endswith(".weight_g"):
            prefix = ours[: -len("weight_g")]
            if prefix + "weight_v" not in sources:
                raise CheckpointError(f"EnCodec checkpoint has {key} but not {prefix}weight_v")
            direction = _tensor(state, sources[prefix + "weight_v"])
            folded[prefix + "weight"] = torch._weight_norm(direction.float(), _tensor(state, key).float(), 0)
        else:
            folded[ours] = _tensor(state, key)
    if codebooks:
        if sorted(codebooks) != list(range(len(codebooks))):
            raise CheckpointError(f"EnCodec checkpoint has codebooks {sorted(codebooks)}: some are missing")
        folded["quantizer.codebooks"] = torch.stack([_tensor(state, codebooks[k]) for k in range(len(codebooks))])
    return folded


def _tensor(state: Mapping[str, torch.Tensor], key: str) -> torch.Tensor:
    tensor = state[key]
    if not isinstance(tensor, torch.Tensor):
        raise CheckpointError(f"EnCodec checkpoint entry {key!r} is a {type(tensor).__name__}, not a tensor")
    return tensor


def count_codebooks(state: Mapping[str, torch.Tensor]) -> int:
    """Codebooks in a state dict of any published layout."""
    return len({match.group(1) for key in state if (match := _CODEBOOK.match(key)) and match.group(2) == "embed"})


def build_codec(config: EncodecConfig, state: Mapping[str, torch.Tensor], device="cpu",
                source: str = "checkpoint") -> EncodecCodec:
    """Our model for ``config`` holding ``state`` (any published layout), on ``device``, in eval mode.

    The model is built on the meta device and takes the checkpoint's tensors as its own
    (``assign=True``): random initialization and a copy into it would hold the weights
    two more times. Tensors that need no conversion are shared with ``state``, not copied.
    """
    with torch.device("meta"):
        codec = EncodecCodec(config)
    ours = {key: value.float() for key, value in to_our_layout(state).items()}
    expected = codec.state_dict()
    missing = sorted(set(expected) - set(ours))
    unexpected = sorted(set(ours) - set(expected))
    wrong = sorted(key for key in set(ours) & set(expected) if ours[key].shape != expected[key].shape)
    if missing or unexpected or wrong:
        details = "; ".join(part for part in (
            _listing("missing", missing), _listing("unexpected", unexpected),
            _listing("wrong shape", [f"{k} {tuple(ours[k].shape)} != {tuple(expected[k].shape)}" for k in wrong]),
        ) if part)
        raise CheckpointError(
            f"{source} does not match the EnCodec architecture its configuration describes "
            f"({config.sample_rate} Hz, {config.channels} channel(s), ratios {list(config.ratios)}, "
            f"{config.n_filters} filters, {config.num_codebooks} codebooks): {details}"
        )
    codec.load_state_dict(ours, assign=True)
    _materialize_derived_buffers(codec)
    codec.refresh()
    return codec.to(device).eval()


def _materialize_derived_buffers(codec: EncodecCodec) -> None:
    """Give the buffers no checkpoint holds (codebook norms, decoder matrices) real memory,
    zeroed, for ``refresh`` to compute: the model was built on the meta device."""
    for module in codec.modules():
        for name, buffer in list(module.named_buffers(recurse=False)):
            if buffer.is_meta:
                module.register_buffer(name, torch.zeros(buffer.shape, dtype=buffer.dtype), persistent=False)


def _listing(what: str, keys: list[str], limit: int = 4) -> str:
    if not keys:
        return ""
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return f"{what}: {', '.join(keys[:limit])}{more}"
