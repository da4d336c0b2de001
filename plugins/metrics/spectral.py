"""Magnitude spectrograms and Slaney mel filters in numpy, matching audiotools' conventions.

``stft_magnitude`` is ``torch.stft(center=True, pad_mode="reflect")`` with a
periodic Hann window; ``mel_filters`` is librosa's default (Slaney) filterbank.
The distances built on them are then the numbers DAC's evaluation reports.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def stft_magnitude(audio: np.ndarray, window_length: int, hop_length: int) -> np.ndarray:
    """``|STFT|`` of ``audio [..., T]`` as ``[..., frames, window_length // 2 + 1]``."""
    audio = np.asarray(audio, dtype=np.float64)
    half = window_length // 2
    padded = np.pad(audio, [(0, 0)] * (audio.ndim - 1) + [(half, half)], mode="reflect")
    frames = sliding_window_view(padded, window_length, axis=-1)[..., ::hop_length, :]
    return np.abs(np.fft.rfft(frames * hann_window(window_length), axis=-1))


@functools.lru_cache(maxsize=32)
def hann_window(length: int) -> np.ndarray:
    """The periodic Hann window (``scipy.signal.get_window("hann", length)``)."""
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(length) / length)


@functools.lru_cache(maxsize=64)
def mel_filters(sample_rate: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """Slaney-normalized triangular mel filters ``[n_mels, n_fft // 2 + 1]`` (librosa's defaults)."""
    fmax = sample_rate / 2.0 if fmax is None else fmax
    fft_frequencies = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)
    mel_edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(mel_edges)
    ramps = mel_edges[:, None] - fft_frequencies[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return weights * (2.0 / (mel_edges[2:] - mel_edges[:-2]))[:, None]


def mel_project(magnitude: np.ndarray, sample_rate: int, n_mels: int) -> np.ndarray:
    """``magnitude [..., bins] @ mel_filters(...).T``, summing only the filters' nonzero weights.

    Each bin feeds at most two triangular filters, so this is a few times the
    spectrogram's size in work, and it avoids BLAS, whose threads cost more than
    they save on matrices this small.
    """
    mel_index, bin_index, weights, starts, nonempty = _sparse_filters(
        sample_rate, 2 * (magnitude.shape[-1] - 1), n_mels)
    products = magnitude[..., bin_index] * weights
    result = np.zeros(magnitude.shape[:-1] + (n_mels,))
    result[..., nonempty] = np.add.reduceat(products, starts, axis=-1)
    return result


@functools.lru_cache(maxsize=64)
def _sparse_filters(sample_rate: int, n_fft: int, n_mels: int) -> tuple[np.ndarray, ...]:
    """The nonzero weights of ``mel_filters`` in mel order, and where each nonempty filter starts."""
    filters = mel_filters(sample_rate, n_fft, n_mels)
    mel_index, bin_index = np.nonzero(filters)
    counts = np.bincount(mel_index, minlength=n_mels)
    nonempty = counts > 0
    starts = (np.cumsum(counts) - counts)[nonempty]
    return mel_index, bin_index, filters[mel_index, bin_index], starts, nonempty


_F_SP = 200.0 / 3  # Hz per mel below 1 kHz (Slaney)
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOG_STEP = np.log(6.4) / 27.0


def hz_to_mel(frequencies: np.ndarray | float) -> np.ndarray:
    frequencies = np.asarray(frequencies, dtype=np.float64)
    linear = frequencies / _F_SP
    logarithmic = _MIN_LOG_MEL + np.log(np.maximum(frequencies, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOG_STEP
    return np.where(frequencies >= _MIN_LOG_HZ, logarithmic, linear)


def mel_to_hz(mels: np.ndarray | float) -> np.ndarray:
    mels = np.asarray(mels, dtype=np.float64)
    linear = mels * _F_SP
    logarithmic = _MIN_LOG_HZ * np.exp(_LOG_STEP * (np.maximum(mels, _MIN_LOG_MEL) - _MIN_LOG_MEL))
    return np.where(mels >= _MIN_LOG_MEL, logarithmic, linear)
