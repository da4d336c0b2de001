"""Factories of the registered names: the published models, in transformers layout on the Hub."""

from __future__ import annotations

from .hub import load_from_hub
from .hub_cache import HUB_REPOS
from .model import EncodecCodec


def encodec_24khz(device="cpu", revision: str | None = None) -> EncodecCodec:
    return load_from_hub(HUB_REPOS["encodec_24khz"], revision, device)


def encodec_32khz(device="cpu", revision: str | None = None) -> EncodecCodec:
    return load_from_hub(HUB_REPOS["encodec_32khz"], revision, device)


def encodec_48khz(device="cpu", revision: str | None = None) -> EncodecCodec:
    return load_from_hub(HUB_REPOS["encodec_48khz"], revision, device)
