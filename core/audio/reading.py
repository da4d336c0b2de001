"""Reading audio files, and converting audio to the rate and channel count a codec expects.

``audio_read`` reads with soundfile (libsndfile: wav, flac, ogg, mp3 and more)
and returns numpy float32 ``[C, T]``. ``convert_audio`` is audiocraft's: mean
to mono, repeat mono to more channels, keep the first channels otherwise; its
resampler is soxr, a real band-limited resampler, instead of julius.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingDependencyError
from .arrays import is_torch_tensor, to_numpy

AUDIO_EXTRA = "pip install 'codecreg[audio]'"


def audio_read(path: str | Path, seek_time: float = 0.0, duration: float = -1.0, pad: bool = False,
               sample_rate: int | None = None, channels: int | None = None) -> tuple[np.ndarray, int]:
    """``(wav [C, T] float32, sample_rate)`` read from ``path``.

    ``seek_time``, ``duration`` (seconds, -1 for all) and ``pad`` (zero-pad to
    ``duration``) are audiocraft's; ``sample_rate`` and ``channels`` convert the
    audio with ``convert_audio``, and the rate returned is then ``sample_rate``.
    """
    if sample_rate is not None and sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive number of Hz, got {sample_rate!r}; "
                         "pass None to keep the file's rate")
    if channels is not None and channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels!r}; pass None to keep the file's channels")
    soundfile = _import("soundfile")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no audio file at {str(path)!r}")
    try:
        info = soundfile.info(str(path))
        rate = info.samplerate
        frames = round(duration * rate) if duration > 0 else -1
        data, rate = soundfile.read(str(path), start=round(seek_time * rate), frames=frames,
                                    dtype="float32", always_2d=True)
    except soundfile.LibsndfileError as error:
        raise ValueError(f"cannot read {str(path)!r} with libsndfile {soundfile.__libsndfile_version__} ({error}); "
                         "it reads wav, flac, ogg and mp3. Convert other formats first, e.g. "
                         "`ffmpeg -i INPUT output.flac`.") from None
    wav = np.ascontiguousarray(data.T)
    if pad and duration > 0:
        missing = round(duration * rate) - wav.shape[1]
        if missing > 0:
            wav = np.pad(wav, ((0, 0), (0, missing)))
    if sample_rate is not None or channels is not None:
        target_rate = rate if sample_rate is None else sample_rate
        wav = convert_audio(wav, rate, target_rate, wav.shape[0] if channels is None else channels)
        rate = target_rate
    return wav, rate


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
    soxr = _import("soxr")
    dtype = wav.dtype if wav.dtype in (np.float32, np.float64) else np.float32
    *leading, length = wav.shape
    columns = np.ascontiguousarray(wav.reshape(-1, length).T, dtype=dtype)  # [T, N]: soxr's layout
    resampled = soxr.resample(columns, from_rate, to_rate, quality="HQ")
    return np.ascontiguousarray(resampled.T).reshape(*leading, resampled.shape[0])


def _import(module: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise MissingDependencyError(f"reading and resampling audio needs {module}, which is not installed. "
                                     f"Install it with: {AUDIO_EXTRA}") from None


__all__ = ["audio_read", "convert_audio", "convert_audio_channels", "resample"]
