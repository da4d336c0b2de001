"""A transformers checkpoint folder's ``config.json``, read without torch or transformers.

The sniffer here runs while a local path is matched to a source, so it must stay
light: it reads one JSON file and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codecreg import CheckpointError

CONFIG_FILE = "config.json"
#: model_type in config.json -> the transformers class that loads it
MODEL_CLASSES = {"encodec": "EncodecModel", "dac": "DacModel"}


def read_config(folder: str | Path) -> dict[str, Any]:
    """The folder's config.json as a dict; a CheckpointError says what is missing or malformed."""
    path = Path(folder) / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(
            f"{folder} has no {CONFIG_FILE}, so it is not a checkpoint in transformers' format "
            "(a folder written by save_pretrained, or a Hub snapshot)"
        )
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path} cannot be read as JSON: {error}") from None
    if not isinstance(config, dict):
        raise CheckpointError(f"{path} holds a JSON {type(config).__name__}, not an object")
    return config


def model_type_of(config: dict[str, Any], where: str) -> str:
    """The config's model_type if this plugin loads it, else an error listing what it loads."""
    model_type = config.get("model_type")
    if model_type not in MODEL_CLASSES:
        supported = ", ".join(f"{key!r} ({name})" for key, name in MODEL_CLASSES.items())
        raise CheckpointError(
            f"{where}: config.json has model_type {model_type!r}, which the hf plugin does not load. "
            f"Supported model types: {supported}."
        )
    return model_type


def is_transformers_dac_folder(path: str) -> bool:
    """True for a folder holding a transformers DAC checkpoint (config.json with model_type "dac").

    EnCodec folders are left to the native EnCodec plugin; ``hf:/path`` loads them here.
    """
    try:
        return read_config(path).get("model_type") == "dac"
    except CheckpointError:
        return False
