"""Factories of the registered names: the published models, in transformers layout on the Hub."""

from __future__ import annotations

from codecreg.checkpoints import hub_file

from .hub_cache import HUB_REPOS, WEIGHT_FILES
from .model import EncodecCodec
from .transformers_format import read_config_file, read_weights_file
from .weights import build_codec

_LOCAL_COPY = "load a local copy by its path: codecreg.load_codec('/path/to/encodec_folder')"


def encodec_24khz(device="cpu", revision: str | None = None) -> EncodecCodec:
    return load_from_hub(HUB_REPOS["encodec_24khz"], revision, device)


def encodec_32khz(device="cpu", revision: str | None = None) -> EncodecCodec:
    return load_from_hub(HUB_REPOS["encodec_32khz"], revision, device)


def encodec_48khz(device="cpu", revision: str | None = None) -> EncodecCodec:
    return load_from_hub(HUB_REPOS["encodec_48khz"], revision, device)


def load_from_hub(repo_id: str, revision: str | None = None, device="cpu") -> EncodecCodec:
    """config.json and the weights through the Hub cache (downloaded when missing and allowed)."""
    config = read_config_file(hub_file(repo_id, ("config.json",), revision, local_hint=_LOCAL_COPY))
    weights = hub_file(repo_id, WEIGHT_FILES, revision, local_hint=_LOCAL_COPY)
    return build_codec(config, read_weights_file(weights), device, source=f"{repo_id} ({weights})")
