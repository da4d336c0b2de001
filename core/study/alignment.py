"""Delay alignment: undo a constant shift a codec adds before comparing waveforms.

Some codecs output the signal a few milliseconds late (a causal decoder, a
look-ahead buffer). Sample-wise metrics such as SI-SDR would score that delay
as distortion, so the reconstruction is shifted by the lag of the largest
cross-correlation magnitude within ``max_lag`` samples before any metric runs.
"""

from __future__ import annotations

import numpy as np


def estimate_delay(reference: np.ndarray, estimate: np.ndarray, max_lag: int) -> int:
    """Samples by which ``estimate [C, T]`` lags ``reference [C, T]`` (negative: it leads), within ±max_lag."""
    reference = np.asarray(reference, dtype=np.float64).mean(axis=0)
    estimate = np.asarray(estimate, dtype=np.float64).mean(axis=0)
    max_lag = int(min(max_lag, reference.size - 1, estimate.size - 1))
    if max_lag <= 0:
        return 0
    size = _fft_size(reference.size + estimate.size)
    spectrum = np.fft.rfft(estimate, size) * np.conj(np.fft.rfft(reference, size))
    correlation = np.fft.irfft(spectrum, size)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    values = np.abs(np.concatenate([correlation[: max_lag + 1], correlation[-max_lag:]]))
    best = values.max()
    if best <= 0:
        return 0
    # Ties (silence, periodic signals) go to the smallest shift, so an aligned codec stays unshifted.
    candidates = lags[values >= best * (1 - 1e-9)]
    return int(candidates[np.argmin(np.abs(candidates))])


def align(reference: np.ndarray, estimate: np.ndarray, max_lag: int) -> tuple[np.ndarray, np.ndarray, int]:
    """``(reference, estimate, delay)`` with the estimate shifted back by its delay and both cut to the overlap."""
    delay = estimate_delay(reference, estimate, max_lag)
    length = min(reference.shape[-1], estimate.shape[-1])
    if delay >= 0:
        return reference[..., : length - delay], estimate[..., delay:length], delay
    return reference[..., -delay:length], estimate[..., : length + delay], delay


def _fft_size(n: int) -> int:
    return 1 << max(int(n - 1).bit_length(), 1)
