"""The audio writer contract: a named backend that writes float samples to a file, at once or as a stream."""

from __future__ import annotations

import abc
import contextlib
import logging
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

log = logging.getLogger(__name__)

#: Sample formats of the PCM containers, as ``audio_write(sample_format=...)`` names them;
#: the first is the default. Lossy formats (mp3, ogg) take none.
SAMPLE_FORMATS = {"wav": ("s16", "s24", "f32"), "flac": ("s16", "s24")}
#: Formats that only store some sample rates (an MP3 encoder would silently resample others).
FORMAT_SAMPLE_RATES = {"mp3": (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)}
#: Formats with a channel limit that an encoder would meet by silently downmixing (ffmpeg does for mp3).
FORMAT_MAX_CHANNELS = {"mp3": 2}


class AudioWriter(abc.ABC):
    """Writes ``wav [C, T]`` float32 samples in [-1, 1] at ``sample_rate`` to ``path``.

    ``audio_write`` does normalization, validation and the atomic rename; a
    backend only encodes already-valid samples into one of its ``formats``.
    ``write`` and ``open_stream`` receive these keyword options: ``mp3_rate``
    (kbps), ``ogg_rate`` (kbps or None: the encoder's default), ``sample_format``
    (one of ``SAMPLE_FORMATS[format]``, or None for formats without one).
    """

    name: str = ""

    @property
    @abc.abstractmethod
    def formats(self) -> tuple[str, ...]:
        """The formats (file suffixes without the dot) this backend can write here."""

    def supports(self, format: str) -> bool:
        return format in self.formats

    def unavailable_reason(self) -> str | None:
        """Why this backend cannot write anything here (a missing program, ...), or None when it can.

        Checked before ``formats``, so that choosing a backend can say what to install.
        """
        return None

    @abc.abstractmethod
    def write(self, path: Path, wav: Any, sample_rate: int, format: str, **options: Any) -> None:
        """Encode ``wav`` into ``path``, an empty file that it overwrites; raise on any failure."""

    @contextlib.contextmanager
    def open_stream(self, path: Path, sample_rate: int, channels: int, format: str,
                    **options: Any) -> Iterator[Callable[[np.ndarray], None]]:
        """Encode into ``path`` block by block: yields ``write_block(block)`` for float32 ``[channels, n]`` blocks.

        The file is complete when the ``with`` block ends normally; on an
        exception the encoder is stopped (what it left in ``path`` is deleted by
        the caller). A backend that encodes incrementally overrides this. This
        default keeps the blocks in memory and calls ``write`` once at the end,
        so memory grows with the length: it is logged as a warning.
        """
        log.warning("writer %r cannot stream: the whole signal is kept in memory and written at the end "
                    "(a writer plugin streams by overriding AudioWriter.open_stream)", self.name or type(self).__name__)
        blocks: list[np.ndarray] = []
        yield lambda block: blocks.append(np.array(block, dtype=np.float32))
        wav = np.concatenate(blocks, axis=1) if blocks else np.zeros((channels, 0), np.float32)
        self.write(path, wav, sample_rate, format, **options)
