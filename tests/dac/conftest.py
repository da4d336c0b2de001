"""DAC checkpoints for the dac plugin's tests: the plugin's own seeded test weights
(``codecreg_dac.test_weights``), in DAC's format, cached across runs.

``small`` ones keep each published model's rates, sample rate and codebooks with narrow
layers (fast tier); ``real`` ones are for the slow tier. ``load_by_name`` loads a registered
name on them, once per session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

import codecreg
from codecreg.testing import checkpoint_folder, load_test_codec
from codecreg_dac.variants import PUBLISHED


@pytest.fixture(scope="session")
def dac_checkpoint() -> Callable[..., Path]:
    """``dac_checkpoint(name, small=True)``: the path of a seeded model saved by ``DAC.save(package=False)``."""

    def get(name: str, small: bool = True) -> Path:
        return checkpoint_folder(name, "small" if small else "real") / PUBLISHED[name].filename

    return get


@pytest.fixture(scope="session")
def load_by_name() -> Callable[..., codecreg.CompressionModel]:
    """``load_by_name("dac_44khz?num_codebooks=4", small=True)``: the codec loaded by name on its test
    weights, once per session (tests that change its state restore it)."""
    loaded: dict[tuple[str, bool], codecreg.CompressionModel] = {}

    def load(name: str, small: bool = True) -> codecreg.CompressionModel:
        if (name, small) not in loaded:
            loaded[name, small] = load_test_codec(name, "small" if small else "real")
        return loaded[name, small]

    return load
