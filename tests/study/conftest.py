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


@pytest.fixture(scope="session")
def study_inputs(tmp_path_factory) -> Path:
    """A folder with a mono 32 kHz clip and a stereo 44.1 kHz one."""
    folder = tmp_path_factory.mktemp("inputs")
    write_clip(folder / "speech.wav", 1, 1.2, 32000, seed=1)
    write_clip(folder / "music.wav", 2, 0.8, 44100, seed=2)
    return folder


#: the first-party numpy metrics: the shared study scores with these (the perceptual ones cost seconds an input;
#: tests/study/test_perceptual_metrics.py runs them through compare)
FIRST_PARTY_METRICS = ["si_sdr", "mel_distance", "stft_distance"]


@pytest.fixture(scope="session")
def study(tmp_path_factory, study_inputs):
    """The debug codec at 2 and 4 codebooks (5 is skipped) on ``study_inputs``: ``(table, report folder)``."""
    out = tmp_path_factory.mktemp("study")
    table = codecreg.compare(["debug"], [study_inputs], num_codebooks=[2, 4, 5], out=out, metrics=FIRST_PARTY_METRICS,
                             show_progress=False)
    return table, out
