"""Seeded random-weight transformers models for the hf tests (HF_HOME is a temporary folder,
HF_HUB_OFFLINE=1: tests/conftest.py).

EnCodec and the audio tokenizers come from the plugins' test-weights recipes
(``codecreg.testing.checkpoint_folder(name, size)``): built once per cache key and reused
across tests, sessions and the core registry test, and the transformers reference loads from
the same folder. DAC is built here (the dac plugin's recipe writes the dac package's format).
Tiny/small models keep the published geometry with narrow layers, for the fast tier; real-size
ones are for the slow tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
import torch

import codecreg
from codecreg.codec.compression import CompressionModel
from codecreg.testing import checkpoint_folder, installed, load_test_codec
from support.hf_cache import put_in_hf_cache
from support.hf_models import build_dac, cache_model

#: repo id -> (registered EnCodec name, size) whose test checkpoint (transformers' layout) is cached there
ENCODEC_REPOS: dict[str, tuple[str, str]] = {
    "codecreg-tests/encodec_24khz-tiny": ("encodec_24khz", "small"),
    "codecreg-tests/encodec_32khz-tiny": ("encodec_32khz", "small"),
    "codecreg-tests/encodec_48khz-tiny": ("encodec_48khz", "small"),
    "facebook/encodec_24khz": ("encodec_24khz", "real"),
    "facebook/encodec_32khz": ("encodec_32khz", "real"),
    "facebook/encodec_48khz": ("encodec_48khz", "real"),
}
DAC_BUILDERS: dict[str, Callable[[], torch.nn.Module]] = {
    "codecreg-tests/dac_24khz-tiny": lambda: build_dac(24000, tiny=True),
    "codecreg-tests/dac_44khz-tiny": lambda: build_dac(44100, tiny=True),
    "descript/dac_44khz": lambda: build_dac(44100),
    "descript/dac_24khz": lambda: build_dac(24000),
    "descript/dac_16khz": lambda: build_dac(16000),
}


@pytest.fixture(scope="session")
def hub_model() -> Callable[[str], torch.nn.Module]:
    """``hub_model(repo_id)``: the transformers model cached under ``repo_id`` (made on first use)."""
    built: dict[str, torch.nn.Module] = {}

    def get(repo_id: str) -> torch.nn.Module:
        if repo_id not in built:
            if repo_id in ENCODEC_REPOS:
                from transformers import EncodecModel

                folder = checkpoint_folder(*ENCODEC_REPOS[repo_id])
                put_in_hf_cache(folder, repo_id, link=True)
                built[repo_id] = EncodecModel.from_pretrained(folder, local_files_only=True).eval()
            else:
                built[repo_id] = DAC_BUILDERS[repo_id]()
                cache_model(built[repo_id], repo_id)
        return built[repo_id]

    return get


@pytest.fixture(scope="session")
def hf_codec(hub_model) -> Callable[[str], CompressionModel]:
    """``hf_codec("hf:<repo>[?options]")``: ``load_codec`` of a repo above, once per session.

    The codec is shared: a test that changes it (set_num_codebooks) restores it.
    """
    loaded: dict[str, CompressionModel] = {}

    def get(name: str) -> CompressionModel:
        if name not in loaded:
            hub_model(codecreg.parse_name(name).target)
            loaded[name] = codecreg.load_codec(name)
        return loaded[name]

    return get


@dataclass(frozen=True)
class Tokenizer:
    """A registered tokenizer's test checkpoint and transformers' own model loaded from it."""

    name: str
    size: str
    folder: Path
    model: torch.nn.Module
    extractor: Any  # the feature extractor (XCodec2, NeuCodec) or None

    @property
    def repo(self) -> str:
        return codecreg.get_registry().codec(self.name).aliases[0]


@pytest.fixture(scope="session")
def hub_tokenizer() -> Callable[..., Tokenizer]:
    """``hub_tokenizer(name, size="small")``: the registered tokenizer ``name``'s test checkpoint
    (``checkpoint_folder``, built on first use) and transformers' model from that folder."""
    made: dict[tuple[str, str], Tokenizer] = {}

    def get(name: str, size: str = "small") -> Tokenizer:
        if (name, size) not in made:
            import transformers

            folder = checkpoint_folder(name, size)
            model = transformers.AutoModel.from_pretrained(folder, local_files_only=True).eval()
            extractor = None
            if (folder / "preprocessor_config.json").is_file():
                extractor = transformers.AutoFeatureExtractor.from_pretrained(folder, local_files_only=True)
            made[name, size] = Tokenizer(name, size, folder, model, extractor)
        return made[name, size]

    return get


@pytest.fixture(scope="session")
def tokenizer_codec() -> Callable[..., CompressionModel]:
    """``tokenizer_codec(name, size="small")``: ``load_codec(name)`` on its test weights at ``size``,
    once per session. A test that changes the codec restores it."""
    loaded: dict[tuple[str, str], CompressionModel] = {}

    def get(name: str, size: str = "small") -> CompressionModel:
        if (name, size) not in loaded:
            loaded[name, size] = load_test_codec(name, size)
        return loaded[name, size]

    return get


@pytest.fixture(scope="session")
def load_installed() -> Callable[[str, str, str], CompressionModel]:
    """``load_installed(codec_name, registered, size)``: ``load_codec(codec_name)`` (an ``hf:`` name)
    while ``registered``'s test weights at ``size`` are laid out where its Hub repo loads from."""

    def load(codec_name: str, registered: str, size: str = "small") -> CompressionModel:
        with installed(registered, size):
            return codecreg.load_codec(codec_name)

    return load
