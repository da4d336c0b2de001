"""Recognizing EnCodec checkpoints on disk without importing torch or unpickling anything.

``codecreg.load_codec(path)`` asks every source's sniffer in turn, so these read
only what they must: a ``config.json``, or the strings of a torch file's pickle
as ``pickletools`` lists them (a parse, never an execution).
"""

from __future__ import annotations

import json
import os
import pickletools
import zipfile
from typing import BinaryIO

_PICKLE_LIMIT = 64 * 2 ** 20  # a state dict's pickle holds names and shapes, never tensor data
_PACKAGE_KEYS = ("encoder.model.0.conv.conv.", "quantizer.vq.layers.0._codebook.embed")
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a"  # torch.save before zip files: protocol 2, then a 10-byte magic number


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
    has_weights = any(os.path.isfile(os.path.join(path, name)) for name in ("model.safetensors", "pytorch_model.bin"))
    return model_type == "encodec" and has_weights


def is_encodec_package_checkpoint(path: str) -> bool:
    """A flat EnCodec state dict as the encodec package publishes it (``encodec_24khz-d7cc33bc.th``)."""
    strings = pickle_strings(path)
    return _names_package_layout(strings) and "best_state" not in strings


def is_audiocraft_compression_checkpoint(path: str) -> bool:
    """audiocraft's ``compression_state_dict.bin``: ``best_state`` + ``xp.cfg`` of an EnCodec,
    or a ``pretrained`` pointer to a published model."""
    strings = pickle_strings(path)
    if {"best_state", "xp.cfg"} <= strings:
        return _names_package_layout(strings)
    return {"pretrained", "exported"} <= strings


def _names_package_layout(strings: set[str]) -> bool:
    return all(any(text.startswith(prefix) for text in strings) for prefix in _PACKAGE_KEYS)


def pickle_strings(path: str) -> set[str]:
    """Every string constant in a torch checkpoint's pickle (zip or legacy format); empty if it is not one."""
    if not os.path.isfile(path):
        return set()
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [info for info in archive.infolist() if info.filename.endswith("data.pkl")]
                if not members or members[0].file_size > _PICKLE_LIMIT:
                    return set()
                with archive.open(members[0]) as file:
                    return _strings(file, pickles=1)
        with open(path, "rb") as file:
            if file.read(len(_LEGACY_MAGIC)) != _LEGACY_MAGIC:
                return set()
            file.seek(0)
            # legacy torch.save: magic number, protocol, system info, then the object
            return _strings(file, pickles=4)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return set()


def _strings(file: BinaryIO, pickles: int) -> set[str]:
    found: set[str] = set()
    for _ in range(pickles):
        for opcode, argument, _position in pickletools.genops(file):
            if isinstance(argument, str) and "UNICODE" in opcode.name:
                found.add(argument)
            if file.tell() > _PICKLE_LIMIT:
                return found
    return found
