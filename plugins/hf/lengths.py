"""Audio lengths at the edges of the contract: decoded audio trimmed to the input's length."""

from __future__ import annotations

import operator

import torch


def checked_length(length: object) -> int | None:
    """``decode``'s ``length`` as an int (numpy integers too), None kept; anything else refused."""
    if length is None:
        return None
    try:
        samples = -1 if isinstance(length, bool) else operator.index(length)
    except TypeError:
        samples = -1
    if samples < 0:
        raise ValueError(f"length must be a number of samples (an int >= 0), got {length!r}")
    return samples


def fit_length(audio: torch.Tensor, length: int | None) -> torch.Tensor:
    """``audio`` cut to ``length`` samples (all of it for None); a longer request is an error,
    because the codes do not cover it."""
    if length is None:
        return audio
    if length > audio.shape[-1]:
        raise ValueError(
            f"length={length} asks for more samples than the codes cover ({audio.shape[-1]}); "
            "pass the length of the audio these codes were encoded from"
        )
    return audio[..., :length]


def pad_end(audio: torch.Tensor, samples: int) -> torch.Tensor:
    """``audio`` padded with zeros at the end up to ``samples`` (unchanged if already as long)."""
    missing = samples - audio.shape[-1]
    return torch.nn.functional.pad(audio, (0, missing)) if missing > 0 else audio
