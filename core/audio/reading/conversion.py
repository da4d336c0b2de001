"""Converting audio to the rate and channel count a codec expects: audiocraft's ``convert_audio``.

Mean to mono, repeat mono to more channels, keep the first channels otherwise;
the resampler is soxr's band-limited "HQ" one instead of julius. Streamed
audio goes through ``block_conversion``, which gives the same samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import MissingDependencyError
from ..arrays import is_torch_tensor, to_numpy

AUDIO_EXTRA = "pip install 'codecreg[audio]'"


def convert_audio(wav: Any, from_rate: float, to_rate: float, to_channels: int) -> Any:
    """``wav [..., C, T]`` resampled to ``to_rate`` and converted to ``to_channels``.

    Takes and returns a numpy array or a torch tensor (same dtype and device;
    the result is detached from autograd).
    """
    if is_torch_tensor(wav):
        import torch

        converted = convert_audio(to_numpy(wav), from_rate, to_rate, to_channels)
        return torch.from_numpy(converted).to(device=wav.device, dtype=wav.dtype)
    array = np.asarray(wav)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"convert_audio needs floating point samples, got dtype {array.dtype}")
    if array.ndim < 2:
        raise ValueError(f"convert_audio needs [..., C, T] audio, got shape {tuple(array.shape)}: "
                         "add the channel axis (wav[None]) for mono")
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} -> {to_rate}")
    if to_channels <= array.shape[-2]:  # fewer channels first: less to resample
        return resample(convert_audio_channels(array, to_channels), from_rate, to_rate)
    return convert_audio_channels(resample(array, from_rate, to_rate), to_channels)


def convert_audio_channels(wav: np.ndarray, channels: int) -> np.ndarray:
    """``wav [..., C, T]`` with ``channels`` channels, by audiocraft's rules."""
    source = wav.shape[-2]
    if channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels}")
    if source == channels:
        return wav
    if channels == 1:
        return wav.mean(axis=-2, keepdims=True, dtype=wav.dtype)
    if source == 1:
        return np.repeat(wav, channels, axis=-2)
    if source > channels:
        return wav[..., :channels, :]
    raise ValueError(f"cannot make {channels} channels from {source}: only mono audio is repeated to more channels")


def resample(wav: np.ndarray, from_rate: float, to_rate: float) -> np.ndarray:
    """``wav [..., T]`` at ``to_rate``, with soxr's high quality band-limited resampler."""
    if from_rate == to_rate:
        return wav
    soxr = import_audio_module("soxr")
    dtype = wav.dtype if wav.dtype in (np.float32, np.float64) else np.float32
    *leading, length = wav.shape
    columns = np.ascontiguousarray(wav.reshape(-1, length).T, dtype=dtype)  # [T, N]: soxr's layout
    resampled = soxr.resample(columns, from_rate, to_rate, quality="HQ")
    return np.ascontiguousarray(resampled.T).reshape(*leading, resampled.shape[0])


def import_audio_module(module: str) -> Any:
    """``module`` (soundfile, soxr), or an error that says how to install it."""
    try:
        return __import__(module)
    except ImportError:
        raise MissingDependencyError(f"reading and resampling audio needs {module}, which is not installed. "
                                     f"Install it with: {AUDIO_EXTRA}") from None
