"""Seeded random-weight transformers models, built once per session and laid out in the
offline Hub cache (HF_HOME is a temporary folder, HF_HUB_OFFLINE=1: tests/conftest.py).

Tiny models keep the published geometry (rates, hops, codebooks, bandwidths, chunking)
with small widths, for the fast tier; real-size ones are for the slow tier.
"""

from __future__ import annotations

from typing import Callable

import pytest
import torch

import codecreg
from codecreg.codec.compression import CompressionModel
from support.hf_models import build_dac, build_encodec, cache_model
from support.hf_tokenizers import build_tokenizer, cache_tokenizer

BUILDERS: dict[str, Callable[[], torch.nn.Module]] = {
    "codecreg-tests/encodec_24khz-tiny": lambda: build_encodec("encodec_24khz", tiny=True),
    "codecreg-tests/encodec_32khz-tiny": lambda: build_encodec("encodec_32khz", tiny=True),
    "codecreg-tests/encodec_48khz-tiny": lambda: build_encodec("encodec_48khz", tiny=True),
    "codecreg-tests/dac_24khz-tiny": lambda: build_dac(24000, tiny=True),
    "facebook/encodec_24khz": lambda: build_encodec("encodec_24khz"),
    "facebook/encodec_32khz": lambda: build_encodec("encodec_32khz"),
    "facebook/encodec_48khz": lambda: build_encodec("encodec_48khz"),
    "descript/dac_44khz": lambda: build_dac(44100),
    "descript/dac_24khz": lambda: build_dac(24000),
    "descript/dac_16khz": lambda: build_dac(16000),
}


@pytest.fixture(scope="session")
def hub_model() -> Callable[[str], torch.nn.Module]:
    """``hub_model(repo_id)``: the transformers model cached under ``repo_id`` (built on first use)."""
    built: dict[str, torch.nn.Module] = {}

    def get(repo_id: str) -> torch.nn.Module:
        if repo_id not in built:
            built[repo_id] = BUILDERS[repo_id]()
            cache_model(built[repo_id], repo_id)
        return built[repo_id]

    return get


@pytest.fixture(scope="session")
def hf_codec(hub_model) -> Callable[[str], CompressionModel]:
    """``hf_codec("hf:<repo>[?options]")``: ``load_codec`` of a BUILDERS repo, once per session.

    The codec is shared: a test that changes it (set_num_codebooks) restores it.
    """
    loaded: dict[str, CompressionModel] = {}

    def get(name: str) -> CompressionModel:
        if name not in loaded:
            hub_model(codecreg.parse_name(name).target)
            loaded[name] = codecreg.load_codec(name)
        return loaded[name]

    return get


#: (repo id, revision) -> the family and size cached there; the reduced XCodec2 and NeuCodec sit at
#: a revision of their own, so the registered names reach them with ?revision=reduced
TOKENIZERS: dict[tuple[str, str], tuple[str, bool]] = {
    ("kyutai/mimi", "main"): ("mimi", False),
    ("hf-audio/xcodec-hubert-librispeech", "main"): ("xcodec", False),
    ("hf-audio/xcodec-wavlm-mls", "main"): ("xcodec_wavlm", False),
    ("bosonai/higgs-audio-v2-tokenizer", "main"): ("higgs_audio_v2_tokenizer", False),
    ("swiss-ai/wavtokenizer-large-unify-40token", "main"): ("wavtokenizer", False),
    ("HKUSTAudio/xcodec2-hf", "reduced"): ("xcodec2", True),
    ("neuphonic/neucodec", "reduced"): ("neucodec", True),
    ("HKUSTAudio/xcodec2-hf", "main"): ("xcodec2", False),
    ("neuphonic/neucodec", "main"): ("neucodec", False),
}


@pytest.fixture(scope="session")
def hub_tokenizer():
    """``hub_tokenizer(repo_id, revision="main")``: ``(model, feature extractor or None)`` cached
    there in the offline Hub cache (built on first use)."""
    built: dict[tuple[str, str], tuple] = {}

    def get(repo_id: str, revision: str = "main"):
        key = (repo_id, revision)
        if key not in built:
            family, reduced = TOKENIZERS[key]
            built[key] = build_tokenizer(family, reduced=reduced)
            cache_tokenizer(*built[key], repo_id, revision)
        return built[key]

    return get


@pytest.fixture(scope="session")
def tokenizer_codec() -> Callable[[str], CompressionModel]:
    """``tokenizer_codec(name)``: ``load_codec(name)`` once per session, for names whose model a test
    has cached with ``hub_tokenizer`` first. A test that changes the codec restores it."""
    loaded: dict[str, CompressionModel] = {}

    def get(name: str) -> CompressionModel:
        if name not in loaded:
            loaded[name] = codecreg.load_codec(name)
        return loaded[name]

    return get
