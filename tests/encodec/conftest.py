"""Fixtures over the reference EnCodec models of support/encodec_references.py, saved in the
published formats."""

from __future__ import annotations

import types

import pytest

from support.encodec_references import (TRANSFORMERS_24KHZ, TRANSFORMERS_32KHZ, TRANSFORMERS_48KHZ,
                                        TRANSFORMERS_SMALL, package_model, seed_package_codebooks,
                                        transformers_model)


@pytest.fixture(scope="session")
def refs():
    """The reference builders, for test modules (which cannot import this conftest)."""
    return types.SimpleNamespace(
        TRANSFORMERS_32KHZ=TRANSFORMERS_32KHZ, TRANSFORMERS_24KHZ=TRANSFORMERS_24KHZ,
        TRANSFORMERS_48KHZ=TRANSFORMERS_48KHZ, TRANSFORMERS_SMALL=TRANSFORMERS_SMALL,
        seed_package_codebooks=seed_package_codebooks, transformers_model=transformers_model, package_model=package_model,
    )


@pytest.fixture(scope="session")
def small_transformers(tmp_path_factory):
    """A small seeded transformers EncodecModel and the folder ``save_pretrained`` wrote it to."""
    model = transformers_model(TRANSFORMERS_SMALL)
    folder = tmp_path_factory.mktemp("encodec_small")
    model.save_pretrained(folder)
    return model, folder


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache for one test, so that no other test's repos are seen."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache
