"""The transformers layout: ``config.json`` + ``model.safetensors``, as in the Hub repos
``facebook/encodec_{24,32,48}khz``, read by our own code (transformers is not imported)."""

from __future__ import annotations

import json
import math
import os
from typing import Any

from codecreg import CheckpointError
from codecreg.checkpoints import load_safetensors, load_torch_file

from .config import EncodecConfig
from .hub_cache import WEIGHT_FILES
from .model import EncodecCodec
from .weights import build_codec

# transformers' EncodecConfig defaults (the 24 kHz model): what a config.json field left out means.
_DEFAULTS: dict[str, Any] = {
    "target_bandwidths": [1.5, 3.0, 6.0, 12.0, 24.0], "sampling_rate": 24000, "audio_channels": 1,
    "normalize": False, "chunk_length_s": None, "overlap": None, "hidden_size": 128, "num_filters": 32,
    "num_residual_layers": 1, "upsampling_ratios": [8, 5, 4, 2], "norm_type": "weight_norm",
    "kernel_size": 7, "last_kernel_size": 7, "residual_kernel_size": 3, "dilation_growth_rate": 2,
    "use_causal_conv": True, "pad_mode": "reflect", "compress": 2, "num_lstm_layers": 2,
    "trim_right_ratio": 1.0, "codebook_size": 1024, "codebook_dim": None, "use_conv_shortcut": True,
}


def config_from_transformers(fields: dict[str, Any]) -> EncodecConfig:
    """Our config from the fields of transformers' ``EncodecConfig`` (its ``config.json``)."""
    f = {**_DEFAULTS, **{key: value for key, value in fields.items() if key in _DEFAULTS}}
    if f["codebook_dim"] not in (None, f["hidden_size"]):
        raise CheckpointError(f"EnCodec config.json has codebook_dim {f['codebook_dim']} != hidden_size "
                              f"{f['hidden_size']}: codebook projections are not supported")
    ratios = tuple(int(r) for r in f["upsampling_ratios"])
    # transformers counts codebooks from the largest bandwidth at a whole frame rate
    frame_rate = math.ceil(f["sampling_rate"] / math.prod(ratios))
    bits = math.ceil(math.log2(f["codebook_size"]))
    num_codebooks = int(1000 * max(f["target_bandwidths"]) // (frame_rate * bits))
    segment = f["chunk_length_s"]
    try:
        return EncodecConfig(
            sample_rate=int(f["sampling_rate"]), channels=int(f["audio_channels"]), ratios=ratios,
            n_filters=int(f["num_filters"]), dimension=int(f["hidden_size"]),
            codebook_size=int(f["codebook_size"]), num_codebooks=num_codebooks,
            causal=bool(f["use_causal_conv"]), norm=f["norm_type"], pad_mode=f["pad_mode"],
            true_skip=not f["use_conv_shortcut"], n_residual_layers=int(f["num_residual_layers"]),
            kernel_size=int(f["kernel_size"]), last_kernel_size=int(f["last_kernel_size"]),
            residual_kernel_size=int(f["residual_kernel_size"]), dilation_base=int(f["dilation_growth_rate"]),
            compress=int(f["compress"]), lstm_layers=int(f["num_lstm_layers"]),
            trim_right_ratio=float(f["trim_right_ratio"]), renormalize=bool(f["normalize"]),
            segment=None if segment is None else float(segment),
            overlap=float(f["overlap"] or 0.0),
            bandwidths=tuple(float(b) for b in f["target_bandwidths"]),
        )
    except ValueError as error:
        raise CheckpointError(f"EnCodec config.json describes an unsupported model: {error}") from None


def read_config_file(path: str | os.PathLike) -> EncodecConfig:
    try:
        with open(path, encoding="utf-8") as file:
            fields = json.load(file)
    except (OSError, ValueError) as error:
        raise CheckpointError(f"cannot read the EnCodec configuration {os.fspath(path)!r}: {error}") from None
    if fields.get("model_type") != "encodec":
        raise CheckpointError(f"{os.fspath(path)!r} describes a {fields.get('model_type')!r} model, not 'encodec'")
    return config_from_transformers(fields)


def read_weights_file(path: str | os.PathLike) -> dict:
    return load_safetensors(path) if os.fspath(path).endswith(".safetensors") else load_torch_file(path)


def load_folder(folder: str | os.PathLike, device="cpu") -> EncodecCodec:
    """A local folder in transformers layout (what ``save_pretrained`` writes)."""
    folder = os.fspath(folder)
    weights = next((os.path.join(folder, name) for name in WEIGHT_FILES
                    if os.path.isfile(os.path.join(folder, name))), None)
    if weights is None:
        raise CheckpointError(f"{folder!r} has no {' or '.join(WEIGHT_FILES)} beside its config.json")
    config = read_config_file(os.path.join(folder, "config.json"))
    return build_codec(config, read_weights_file(weights), device, source=weights)


def from_path(target: str, revision: str | None = None, device="cpu") -> EncodecCodec:
    """Source factory of ``encodec-transformers:FOLDER`` (and of such folders given as a bare path)."""
    if revision is not None:
        raise CheckpointError(f"{target!r} is a local folder: it has no revisions (drop '@{revision}')")
    if not os.path.isdir(target):
        raise CheckpointError(f"no such folder: {target!r}; give a folder holding config.json and model.safetensors")
    return load_folder(target, device)
