"""A mixed folder of audio (rates, channels, nested folders, one broken and one non-finite file),
the codes ``codec.encode`` gives each file on its own, and a way to run ``codecreg tokenize``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from codecreg.audio.synthetic import synthetic_audio

ROOT = Path(__file__).resolve().parents[2]

# (relative path, sample rate, channels, seconds)
MIXED = [
    ("a.wav", 32000, 1, 1.3),
    ("b.flac", 16000, 2, 0.7),
    ("part1/clip001.wav", 44100, 2, 2.1),
    ("part1/clip002.ogg", 24000, 1, 0.9),
    ("part1/deeper/clip003.wav", 8000, 1, 1.6),
    ("part2/long.wav", 48000, 2, 3.2),
]
BROKEN = "part2/broken.wav"
NON_FINITE = "part2/nan.wav"


def write_audio(path: Path, rate: int, channels: int, seconds: float, seed: int) -> np.ndarray:
    audio = synthetic_audio(channels, round(rate * seconds), rate, seed=seed)[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, audio.T, rate, subtype="FLOAT" if path.suffix == ".wav" else None)
    return audio


@pytest.fixture(scope="session")
def mixed_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    for seed, (name, rate, channels, seconds) in enumerate(MIXED):
        write_audio(folder / name, rate, channels, seconds, seed)
    (folder / BROKEN).write_bytes(b"RIFF not really a wave file")
    bad = synthetic_audio(1, 16000, 16000, seed=9)[0]
    bad[0, 100] = np.nan
    soundfile.write(folder / NON_FINITE, bad.T, 16000, subtype="FLOAT")
    (folder / "notes.txt").write_text("not audio: skipped")
    return folder


@pytest.fixture(scope="session")
def debug_codec():
    import codecreg

    return codecreg.load_codec("debug")


def reference_codes(codec, path: Path, start: float = 0.0, duration: float = -1.0) -> np.ndarray:
    """``codec.encode`` of one file (or segment) alone, read and converted by codecreg's audio reading."""
    import torch

    from codecreg import audio_read, convert_audio

    wav, rate = audio_read(path, seek_time=start, duration=duration)
    wav = convert_audio(wav, rate, codec.sample_rate, codec.channels)
    codes, _ = codec.encode(torch.from_numpy(np.ascontiguousarray(wav))[None])
    return codes[0].numpy()


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    environment = dict(os.environ, **(env or {}))
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [environment.get("PYTHONPATH"), *sys.path]))
    return subprocess.run([sys.executable, "-m", "codecreg.cli.main", "tokenize", *args], env=environment,
                          capture_output=True, text=True, timeout=timeout)


def rows_of(folder: Path) -> list[dict]:
    from codecreg import open_tokens

    return [dict(row, codes=row["codes"].tolist()) for row in open_tokens(folder)]


@pytest.fixture(scope="module")
def ray_instance():
    """A real local Ray instance with its files in a short temporary folder (socket paths are limited
    to 107 bytes), started once per module, shut down and removed after its last test. Tests that use
    it carry the ``ray`` marker."""
    import shutil
    import tempfile

    ray = pytest.importorskip("ray")
    folder = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=folder)
    try:
        yield ray
    finally:
        ray.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    assert not ray.is_initialized()
