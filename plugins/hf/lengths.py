"""Decoded audio padded to whole frames: transformers' DAC decoders yield a few samples short."""

from __future__ import annotations

import torch


def pad_end(audio: torch.Tensor, samples: int) -> torch.Tensor:
    """``audio`` padded with zeros at the end up to ``samples`` (unchanged if already as long)."""
    missing = samples - audio.shape[-1]
    return torch.nn.functional.pad(audio, (0, missing)) if missing > 0 else audio
