"""Turning what users pass as audio (a numpy array or a torch tensor) into checked float32 ``[C, T]``.

torch is never imported here: a tensor is recognized by its type's module and
converted through its own methods, so writing a numpy array needs no torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def is_torch_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def to_numpy(wav: Any) -> np.ndarray:
    """The samples of ``wav`` as a numpy array on the CPU, dtype kept (bfloat16 and float16 become float32)."""
    if is_torch_tensor(wav):
        tensor = wav.detach().cpu()
        if tensor.is_floating_point() and tensor.element_size() < 4:
            tensor = tensor.float()
        return tensor.numpy()
    return np.asarray(wav)


def as_float_audio(wav: Any, what: str = "wav") -> np.ndarray:
    """``wav`` ([T] or [C, T], floating point, non-empty) as a float32 ``[C, T]`` array.

    Finiteness is checked by ``peak_of`` on the result, in the pass that
    normalization needs anyway.
    """
    array = to_numpy(wav)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"{what} must hold floating point samples in [-1, 1], got dtype {array.dtype}. "
            "Convert integer PCM first, e.g. wav.astype(np.float32) / 32768 for int16."
        )
    if array.ndim == 1:
        array = array[None]
    elif array.ndim != 2:
        raise ValueError(
            f"{what} must be [T] or [C, T], got {array.ndim} dimensions {tuple(array.shape)}. "
            "Write one item of a batch at a time (e.g. wav[0])."
        )
    channels, length = array.shape
    if channels == 0 or length == 0:
        raise ValueError(f"{what} is empty (shape {tuple(array.shape)}): there are no samples to write")
    if channels > length:
        raise ValueError(
            f"{what} has shape {tuple(array.shape)}, read as {channels} channels of {length} samples. "
            "Audio is [C, T]: transpose a [T, C] array (wav.T)."
        )
    return np.ascontiguousarray(array, dtype=np.float32)


def peak_of(wav: np.ndarray, what: str = "wav") -> float:
    """The largest absolute sample; raises if any sample is NaN or infinite (max propagates both)."""
    peak = float(max(wav.max(), -wav.min()))
    if not np.isfinite(peak):
        bad = int(np.count_nonzero(~np.isfinite(wav)))
        raise ValueError(
            f"{what} contains {bad} NaN or infinite sample(s) out of {wav.size}: nothing was written. "
            "Find where they come from, or replace them (np.nan_to_num) before writing."
        )
    return peak


def interleaved(wav: np.ndarray) -> np.ndarray:
    """``wav [C, T]`` as little-endian float32 frames ``[T, C]``, the layout encoders read.

    Copied channel by channel: a few times faster than ``ascontiguousarray(wav.T)``,
    whose strided copy dominated the cost of writing a long file.
    """
    frames = np.empty((wav.shape[1], wav.shape[0]), dtype="<f4")
    for channel, samples in enumerate(wav):
        frames[:, channel] = samples
    return frames
