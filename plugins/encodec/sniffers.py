"""Recognizing EnCodec checkpoints on disk without importing torch or unpickling anything.

``codecreg.load_codec(path)`` asks every source's sniffer in turn, so these read
only what they must: a ``config.json``, or the strings of a torch file's pickle
(``codecreg.checkpoints.sniff_torch_file``: a parse, never an execution).
"""

from __future__ import annotations

import json
import os

from codecreg.checkpoints import sniff_torch_file

from .hub_cache import WEIGHT_FILES

_PACKAGE_KEYS = ("encoder.model.0.conv.conv.", "quantizer.vq.layers.0._codebook.embed")


def is_transformers_encodec_folder(path: str) -> bool:
    """A folder with transformers' ``config.json`` for ``model_type: encodec`` and its weights."""
    config = os.path.join(path, "config.json")
    if not os.path.isfile(config):
        return False
    try:
        with open(config, encoding="utf-8") as file:
            model_type = json.load(file).get("model_type")
    except (OSError, ValueError, AttributeError):
        return False
    has_weights = any(os.path.isfile(os.path.join(path, name)) for name in WEIGHT_FILES)
    return model_type == "encodec" and has_weights


def is_encodec_package_checkpoint(path: str) -> bool:
    """A flat EnCodec state dict as the encodec package publishes it (``encodec_24khz-d7cc33bc.th``)."""
    strings = _pickle_strings(path)
    return _names_package_layout(strings) and "best_state" not in strings


def is_audiocraft_compression_checkpoint(path: str) -> bool:
    """audiocraft's ``compression_state_dict.bin``: ``best_state`` + ``xp.cfg`` of an EnCodec,
    or a ``pretrained`` pointer to a published model."""
    strings = _pickle_strings(path)
    if {"best_state", "xp.cfg"} <= strings:
        return _names_package_layout(strings)
    return {"pretrained", "exported"} <= strings


def _names_package_layout(strings: frozenset[str]) -> bool:
    return all(any(text.startswith(prefix) for text in strings) for prefix in _PACKAGE_KEYS)


def _pickle_strings(path: str) -> frozenset[str]:
    """Every string constant in a torch checkpoint's pickle (zip or legacy format); empty if it is not one."""
    sniffed = sniff_torch_file(path)
    return sniffed.strings if sniffed else frozenset()
