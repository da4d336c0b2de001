"""Spectral distances between a reconstruction and its reference; lower is better.

The settings are DAC's: its evaluation's mel distance (7 scales, log10 mel
magnitudes clamped at 1e-5, L1) and audiotools' ``MultiScaleSTFTLoss`` defaults
(windows 2048 and 512, L1 of log10 power plus L1 of magnitude).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .spectral import mel_project, stft_magnitude

CLAMP = 1e-5
MEL_WINDOWS = (32, 64, 128, 256, 512, 1024, 2048)
MEL_BANDS = (5, 10, 20, 40, 80, 160, 320)
STFT_WINDOWS = (2048, 512)


def mel_distance(reference: np.ndarray, estimate: np.ndarray, sample_rate: int) -> float:
    """Sum over scales of the mean ``|log10 mel(estimate) - log10 mel(reference)|``."""
    _check_shapes(reference, estimate)
    total = 0.0
    for window, bands in zip(MEL_WINDOWS, MEL_BANDS):
        mels = [np.log10(np.maximum(mel_project(stft_magnitude(x, window, window // 4), sample_rate, bands), CLAMP))
                for x in (reference, estimate)]
        total += float(np.mean(np.abs(mels[1] - mels[0])))
    return total


def stft_distance(reference: np.ndarray, estimate: np.ndarray, sample_rate: int | None = None) -> float:
    """Sum over scales of the mean ``|log10 |X|^2 - log10 |Y|^2|`` plus the mean ``||X| - |Y||``."""
    _check_shapes(reference, estimate)
    total = 0.0
    for window in STFT_WINDOWS:
        ref, est = (stft_magnitude(x, window, window // 4) for x in (reference, estimate))
        log_ref, log_est = (np.log10(np.maximum(m, CLAMP) ** 2) for m in (ref, est))
        total += float(np.mean(np.abs(log_est - log_ref)) + np.mean(np.abs(est - ref)))
    return total


def build_mel_distance() -> Callable[[np.ndarray, np.ndarray, int], float]:
    return mel_distance


def build_stft_distance() -> Callable[[np.ndarray, np.ndarray, int], float]:
    return stft_distance


def _check_shapes(reference: np.ndarray, estimate: np.ndarray) -> None:
    if np.shape(reference) != np.shape(estimate):
        raise ValueError(f"spectral distances need signals of equal shape, got {np.shape(reference)} "
                         f"and {np.shape(estimate)}")

