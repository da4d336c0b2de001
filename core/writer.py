"""The audio writer contract: a named backend that writes float samples to a file."""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Any


class AudioWriter(abc.ABC):
    """Writes ``wav [C, T]`` float32 samples in [-1, 1] at ``sample_rate`` to ``path``.

    ``audio_write`` does normalization, validation and the atomic rename; a
    backend only encodes already-valid samples into one of its ``formats``.
    """

    name: str = ""

    @property
    @abc.abstractmethod
    def formats(self) -> tuple[str, ...]:
        """The formats (file suffixes without the dot) this backend can write here."""

    def supports(self, format: str) -> bool:
        return format in self.formats

    @abc.abstractmethod
    def write(self, path: Path, wav: Any, sample_rate: int, format: str, **options: Any) -> None:
        """Encode ``wav`` into ``path``, which must not exist yet; raise on any failure."""
