"""Whether a published model's files are in the Hugging Face cache, by its layout on disk.

Listing asks this of every name, so it reads the folder ``<HF_HUB_CACHE>/models--ORG--NAME/
snapshots/*/`` and imports only huggingface_hub's constants (which honour HF_HOME,
HF_HUB_CACHE and XDG_CACHE_HOME as the download does), never torch or the network.
"""

from __future__ import annotations

from pathlib import Path

HUB_REPOS = {
    "encodec_24khz": "facebook/encodec_24khz",
    "encodec_32khz": "facebook/encodec_32khz",
    "encodec_48khz": "facebook/encodec_48khz",
}
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def published_weights_cached(name: str) -> bool:
    """True when some cached snapshot of ``name``'s repo holds config.json and a weights file."""
    from huggingface_hub import constants

    repo = Path(constants.HF_HUB_CACHE) / ("models--" + HUB_REPOS[name].replace("/", "--"))
    return any((snapshot / "config.json").is_file() and any((snapshot / f).is_file() for f in WEIGHT_FILES)
               for snapshot in (repo / "snapshots").glob("*"))
