"""Fixtures for the study tests: the debug codec and short deterministic clips written to disk."""

from pathlib import Path

import numpy as np
import pytest

import codecreg
from codecreg.testing import synthetic_audio


@pytest.fixture(scope="session")
def debug_codec():
    return codecreg.load_codec("debug")


def clip(channels: int, seconds: float, sample_rate: int, seed: int = 0) -> np.ndarray:
    """Deterministic ``[C, T]`` float32 audio at peak 0.5."""
    return synthetic_audio(channels, int(seconds * sample_rate), sample_rate, seed=seed)[0].numpy()


def write_clip(path: Path, channels: int, seconds: float, sample_rate: int, seed: int = 0) -> Path:
    """A wav file holding ``clip(...)``, written without level changes."""
    return codecreg.audio_write(path.with_suffix(""), clip(channels, seconds, sample_rate, seed), sample_rate,
                                strategy="none")
