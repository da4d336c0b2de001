"""DAC checkpoints for the dac plugin's tests: seeded models saved in DAC's own format, once per session.

Small ones keep each published model's rates, sample rate and codebooks with
narrow layers (fast tier); real-size ones are for the slow tier. ``load_by_name``
loads a registered name with its weights laid out in a cache folder of its own,
so small and real files never stand in for each other.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Callable

import pytest

import codecreg
from support.dac_models import build_dac, put_in_dac_cache, save_dac


@pytest.fixture(scope="session")
def dac_checkpoint(tmp_path_factory) -> Callable[..., Path]:
    """``dac_checkpoint(name, small=True)``: the path of a seeded model saved by ``DAC.save(package=False)``."""
    folder = tmp_path_factory.mktemp("dac-checkpoints")
    saved: dict[tuple[str, bool], Path] = {}

    def get(name: str, small: bool = True) -> Path:
        key = (name, small)
        if key not in saved:
            saved[key] = save_dac(build_dac(name, small=small), folder / f"{name}-{'small' if small else 'real'}.pth")
        return saved[key]

    return get


@pytest.fixture(scope="session")
def load_by_name(dac_checkpoint, tmp_path_factory) -> Callable[..., codecreg.CompressionModel]:
    """``load_by_name("dac_44khz?num_codebooks=4", small=True)``: the codec loaded by name from a cache
    folder, once per session (tests that change its state restore it)."""
    caches = tmp_path_factory.mktemp("dac-caches")
    loaded: dict[tuple[str, bool], codecreg.CompressionModel] = {}

    def load(name: str, small: bool = True) -> codecreg.CompressionModel:
        if (name, small) not in loaded:
            base = codecreg.parse_name(name).target
            root = caches / f"{base}-{'small' if small else 'real'}"
            put_in_dac_cache(dac_checkpoint(base, small), base, cache_root=root)
            with codecreg_cache(root):
                loaded[name, small] = codecreg.load_codec(name)
        return loaded[name, small]

    return load


@contextlib.contextmanager
def codecreg_cache(root: str | os.PathLike):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CODECREG_CACHE", str(root))
        yield
