"""A transformers checkpoint folder's ``config.json``, read without torch or transformers.

The sniffer here runs while a local path is matched to a source, so it must stay
light: it reads one JSON file and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codecreg import CheckpointError

from .families import FAMILIES

CONFIG_FILE = "config.json"


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
    if model_type not in FAMILIES:
        supported = ", ".join(f"{key!r} ({family.model_class})" for key, family in FAMILIES.items())
        raise CheckpointError(
            f"{where}: config.json has model_type {model_type!r}, which the hf plugin does not load. "
            f"Supported model types: {supported}."
        )
    return model_type


def is_transformers_tokenizer_folder(path: str) -> bool:
    """True for a folder holding a transformers checkpoint of a model type loaded here (EnCodec,
    DAC, Mimi, X-Codec, ...): config.json names it.

    The hf source claims at priority 200, so a folder another plugin also claims at a lower
    priority (EnCodec's, by the native EnCodec plugin) goes there; ``hf:/path`` loads it here.
    """
    try:
        model_type = read_config(path).get("model_type")
    except CheckpointError:
        return False
    return model_type in FAMILIES
