"""Converting audio to the rate and channel count a codec expects: audiocraft's ``convert_audio``.

Mean to mono, repeat mono to more channels, keep the first channels otherwise.
Two resamplers: ``"soxr"`` (the default: soxr's band-limited "HQ" one) or
``"julius"`` (``julius.resample_frac``, audiocraft's, whose numbers this gives
exactly: resampled first, then the channels converted, in torch). Streamed
audio goes through ``block_conversion``, which gives the same samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import MissingDependencyError
from ..arrays import is_torch_tensor, to_numpy

AUDIO_EXTRA = "pip install 'codecreg[audio]'"
JULIUS_EXTRA = "pip install 'codecreg[torch]'"
#: the resamplers ``convert_audio`` and the readers take; the first is the default
RESAMPLERS = ("soxr", "julius")
DEFAULT_RESAMPLER = RESAMPLERS[0]


def check_resampler(resampler: Any) -> str:
    """``resampler`` if it is one of ``RESAMPLERS``, else a ValueError saying which there are."""
    if resampler not in RESAMPLERS:
        raise ValueError(f"unknown resampler {resampler!r}: choose {' or '.join(map(repr, RESAMPLERS))} "
                         "(julius: audiocraft's numbers exactly; soxr: the default)")
    return resampler


def convert_audio(wav: Any, from_rate: float, to_rate: float, to_channels: int,
                  resampler: str = DEFAULT_RESAMPLER) -> Any:
    """``wav [..., C, T]`` resampled to ``to_rate`` and converted to ``to_channels``.

    Takes and returns a numpy array or a torch tensor (same dtype and device;
    the result is detached from autograd). ``resampler="julius"`` gives
    audiocraft's ``convert_audio`` bit for bit (``julius.resample_frac`` of the
    integer rates, then the channels); ``"soxr"`` is soxr's HQ resampler.
    """
    check_resampler(resampler)
    if resampler == "julius":
        return _convert_with_julius(wav, from_rate, to_rate, to_channels)
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
    """``module`` (soundfile, soxr, julius), or an error that says how to install it."""
    try:
        return __import__(module)
    except ImportError:
        if module == "julius":
            raise MissingDependencyError(f"resampler='julius' needs julius (and torch), which is not installed. "
                                         f"Install it with: {JULIUS_EXTRA}, or use resampler='soxr'") from None
        raise MissingDependencyError(f"reading and resampling audio needs {module}, which is not installed. "
                                     f"Install it with: {AUDIO_EXTRA}") from None


def torch_audio_channels(wav: Any, channels: int) -> Any:
    """audiocraft's ``convert_audio_channels`` on a torch tensor ``[..., C, T]`` (its mean, its order)."""
    source = wav.shape[-2]
    if channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels}")
    if source == channels:
        return wav
    if channels == 1:
        return wav.mean(dim=-2, keepdim=True)
    if source == 1:
        return wav.expand(*wav.shape[:-2], channels, wav.shape[-1])
    if source > channels:
        return wav[..., :channels, :]
    raise ValueError(f"cannot make {channels} channels from {source}: only mono audio is repeated to more channels")


def julius_rates(from_rate: float, to_rate: float) -> tuple[int, int]:
    """The integer rates julius resamples between, as audiocraft passes them (``int(rate)``)."""
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} -> {to_rate}")
    return int(from_rate), int(to_rate)


def _convert_with_julius(wav: Any, from_rate: float, to_rate: float, to_channels: int) -> Any:
    """audiocraft's ``convert_audio``: ``julius.resample_frac`` then ``convert_audio_channels``."""
    import torch

    julius = import_audio_module("julius")
    old, new = julius_rates(from_rate, to_rate)
    tensor = wav.detach() if is_torch_tensor(wav) else torch.from_numpy(np.ascontiguousarray(wav))
    if not tensor.is_floating_point():
        raise TypeError(f"convert_audio needs floating point samples, got dtype {tensor.dtype}")
    if tensor.dim() < 2:
        raise ValueError(f"convert_audio needs [..., C, T] audio, got shape {tuple(tensor.shape)}: "
                         "add the channel axis (wav[None]) for mono")
    torch_audio_channels(tensor[..., :0], to_channels)  # refuses 2 -> 3 before any work
    if tensor.shape[-1] == 0:  # julius cannot pad an empty signal: nothing resamples to nothing
        resampled = tensor
    else:
        with torch.no_grad():
            resampled = julius.resample_frac(tensor, old, new)
    converted = torch_audio_channels(resampled, to_channels)
    if is_torch_tensor(wav):
        return converted.contiguous()
    return np.ascontiguousarray(converted.numpy())
