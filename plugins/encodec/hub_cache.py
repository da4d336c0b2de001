"""The published models' Hub repos, and whether they are in the Hugging Face cache (for
listing: a look at the folder, no torch, no network)."""

from __future__ import annotations

from codecreg.checkpoints import hub_snapshot_cached

HUB_REPOS = {
    "encodec_24khz": "facebook/encodec_24khz",
    "encodec_32khz": "facebook/encodec_32khz",
    "encodec_48khz": "facebook/encodec_48khz",
}
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def published_weights_cached(name: str) -> bool:
    return hub_snapshot_cached(HUB_REPOS[name], WEIGHT_FILES)
