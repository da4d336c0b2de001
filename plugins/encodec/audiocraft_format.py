"""audiocraft's compression checkpoints (``compression_state_dict.bin``).

Two kinds exist: ``{"best_state": state dict, "xp.cfg": config, ...}`` for a
trained EnCodec (the state dict in the encodec package's layout, the config as
YAML text or as a pickled omegaconf object), and ``{"pretrained": name}``
pointing at a published model, which is loaded by that name.
"""

from __future__ import annotations

import os
from typing import Any

from codecreg import CheckpointError, CompressionModel
from codecreg.checkpoints import load_torch_file

from .config import EncodecConfig
from .weights import build_codec
from .xp_config import STAND_INS, read_xp_config, require

_SAME_FOR_ENCODER_AND_DECODER = ("dimension", "channels", "causal", "n_filters", "n_residual_layers", "ratios",
                                 "activation", "activation_params", "norm", "norm_params", "kernel_size",
                                 "residual_kernel_size", "last_kernel_size", "dilation_base", "pad_mode",
                                 "true_skip", "compress", "lstm", "disable_norm_outer_blocks")


def config_from_xp(xp: dict[str, Any]) -> EncodecConfig:
    """Our config from audiocraft's resolved ``xp.cfg`` (what ``builders.get_compression_model`` reads)."""
    if require(xp, "compression_model") != "encodec":
        raise CheckpointError(f"the checkpoint's compression_model is {xp.get('compression_model')!r}, not 'encodec'")
    if (require(xp, "encodec.autoencoder"), require(xp, "encodec.quantizer")) != ("seanet", "rvq"):
        raise CheckpointError("only EnCodec checkpoints with a SEANet autoencoder and an RVQ quantizer are supported")
    seanet = dict(require(xp, "seanet"))
    encoder = {**seanet, **(seanet.pop("encoder", None) or {})}
    decoder = {**seanet, **(seanet.pop("decoder", None) or {})}
    differing = [key for key in _SAME_FOR_ENCODER_AND_DECODER if encoder.get(key) != decoder.get(key)]
    if differing:
        raise CheckpointError(f"the checkpoint's encoder and decoder differ in {', '.join(differing)}: not supported")
    if encoder.get("activation", "ELU") != "ELU" or (encoder.get("norm_params") or {}):
        raise CheckpointError("only ELU activations and default norm parameters are supported "
                              f"(got {encoder.get('activation')!r}, {encoder.get('norm_params')!r})")
    if decoder.get("final_activation") is not None:
        raise CheckpointError(f"a final decoder activation ({decoder['final_activation']!r}) is not supported")
    if encoder.get("norm", "none") == "spectral_norm":
        raise CheckpointError("spectral_norm convolutions are not supported")
    try:
        return EncodecConfig(
            sample_rate=int(require(xp, "encodec.sample_rate")), channels=int(require(xp, "encodec.channels")),
            ratios=tuple(int(r) for r in encoder["ratios"]), n_filters=int(encoder["n_filters"]),
            dimension=int(encoder["dimension"]), codebook_size=int(require(xp, "rvq.bins")),
            num_codebooks=int(require(xp, "rvq.n_q")), causal=bool(require(xp, "encodec.causal", False)),
            norm=encoder.get("norm", "none"), pad_mode=encoder.get("pad_mode", "reflect"),
            true_skip=bool(encoder.get("true_skip", True)),
            n_residual_layers=int(encoder.get("n_residual_layers", 3)),
            kernel_size=int(encoder.get("kernel_size", 7)), last_kernel_size=int(encoder.get("last_kernel_size", 7)),
            residual_kernel_size=int(encoder.get("residual_kernel_size", 3)),
            dilation_base=int(encoder.get("dilation_base", 2)), compress=int(encoder.get("compress", 2)),
            lstm_layers=int(encoder.get("lstm", 0)), trim_right_ratio=float(decoder.get("trim_right_ratio", 1.0)),
            disable_norm_outer_blocks=int(encoder.get("disable_norm_outer_blocks", 0)),
            elu_alpha=float((encoder.get("activation_params") or {}).get("alpha", 1.0)),
            renormalize=bool(require(xp, "encodec.renormalize", False)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"the checkpoint's xp.cfg describes an unsupported EnCodec: {error!r}") from None


def load_file(path: str | os.PathLike, device="cpu") -> CompressionModel:
    package = load_torch_file(path, STAND_INS)
    if not isinstance(package, dict):
        raise CheckpointError(f"{os.fspath(path)!r} holds a {type(package).__name__}, not audiocraft's checkpoint dict")
    if "pretrained" in package:
        from codecreg import load_codec

        return load_codec(str(package["pretrained"]), device=device)
    if "best_state" not in package or "xp.cfg" not in package:
        raise CheckpointError(f"{os.fspath(path)!r} has neither 'pretrained' nor 'best_state' and 'xp.cfg'")
    state = package["best_state"]
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]  # a training checkpoint rather than an exported one
    config = config_from_xp(read_xp_config(package["xp.cfg"]))
    return build_codec(config, state, device, source=os.fspath(path))


def from_path(target: str, revision: str | None = None, device="cpu") -> CompressionModel:
    """Source factory of ``audiocraft:PATH`` (and of such files given as a bare path)."""
    if revision is not None:
        raise CheckpointError(f"{target!r} is a local file: it has no revisions (drop '@{revision}')")
    if not os.path.isfile(target):
        raise CheckpointError(f"no such file: {target!r}; give the path of a compression_state_dict.bin")
    return load_file(target, device)
