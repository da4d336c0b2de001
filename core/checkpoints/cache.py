"""Where codecreg keeps the files it downloads, and the one switch that turns downloads off."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_VARIABLE = "CODECREG_CACHE"
OFFLINE_VARIABLE = "CODECREG_OFFLINE"
_ON = ("1", "true", "yes", "on")  # what huggingface_hub accepts for HF_HUB_OFFLINE


def cache_folder(area: str) -> Path:
    """``$CODECREG_CACHE/<area>`` (default ``~/.cache/codecreg/<area>``); not created here.

    ``area`` is one folder name per plugin or kind of file (``"dac"``, ``"encodec"``).
    """
    if not area or area in (".", "..") or "/" in area or os.sep in area:
        raise ValueError(f"cache area {area!r} must be one folder name, such as 'dac'")
    root = os.environ.get(CACHE_VARIABLE) or os.path.join("~", ".cache", "codecreg")
    return Path(root).expanduser() / area


def offline_reason(hub: bool = False) -> str | None:
    """Why downloads are off (``"CODECREG_OFFLINE=1"``), or None when they are allowed.

    For the Hub (``hub=True``) huggingface_hub's own ``HF_HUB_OFFLINE`` counts too, as
    huggingface_hub read it at import, so both switches mean the same everywhere.
    """
    value = os.environ.get(OFFLINE_VARIABLE, "")
    if value.strip().lower() in _ON:
        return f"{OFFLINE_VARIABLE}={value}"
    if hub:
        from huggingface_hub import constants

        if constants.HF_HUB_OFFLINE:
            return f"HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE') or '1'}"
    return None
