"""What a built codec is, fixed for its life: filled once by each codec's ``__init__``."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CodecMetadata:
    """The numbers the contract's metadata properties return.

    ``frame_rate`` is a float because hops need not divide the sample rate
    (DAC 44.1 kHz: 44100 / 512 = 86.13 frames per second).
    """

    sample_rate: int
    channels: int
    frame_rate: float
    cardinality: int
    total_codebooks: int

    def __post_init__(self) -> None:
        for field in ("sample_rate", "channels", "cardinality", "total_codebooks"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"codec metadata: {field} must be a positive int, got {value!r}")
        if not (isinstance(self.frame_rate, (int, float)) and math.isfinite(self.frame_rate) and self.frame_rate > 0):
            raise ValueError(f"codec metadata: frame_rate must be a positive number, got {self.frame_rate!r}")
