"""Deterministic synthetic audio for demos, tests and benchmarks, so nothing needs a dataset."""

from __future__ import annotations

import numpy as np


def synthetic_audio(channels: int, length: int, sample_rate: int, batch: int = 1, seed: int = 0) -> np.ndarray:
    """``[batch, channels, length]`` float32: a sweep, a tone and some noise per channel, peak 0.5."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / sample_rate
    items = []
    for _ in range(batch * channels):
        f0, f1 = rng.uniform(80, 600), rng.uniform(1000, 4000)
        sweep = np.sin(2 * np.pi * (f0 * t + (f1 - f0) * t ** 2 / (2 * max(t[-1], 1e-9))))
        tone = np.sin(2 * np.pi * rng.uniform(100, 1000) * t + rng.uniform(0, np.pi))
        items.append(sweep + 0.5 * tone + 0.1 * rng.standard_normal(length))
    audio = np.stack(items).reshape(batch, channels, length)
    audio *= 0.5 / max(np.abs(audio).max(), 1e-9)
    return audio.astype(np.float32)
