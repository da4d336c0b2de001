"""Decoding a file with libsndfile (soundfile), frames at the file's own rate: wav, flac, ogg, aiff, ...

libsndfile knows every file's exact length and seeks to an exact frame, so a
segment of a long file costs no decoding of what comes before it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class SndfileSource:
    """An open file read in frames ``[n, C]`` float32 from ``start``; ``frames`` is the file's length."""

    decoder = "libsndfile"

    def __init__(self, path: Path) -> None:
        import soundfile

        self._file = soundfile.SoundFile(str(path))  # raises soundfile.LibsndfileError for what it cannot read
        self.rate = self._file.samplerate
        self.channels = self._file.channels
        self.frames: int | None = self._file.frames

    def start_at(self, frame: int) -> None:
        if frame:
            self._file.seek(frame)

    def read(self, frames: int) -> np.ndarray:
        """Up to ``frames`` frames; fewer only at the end of the file."""
        return self._file.read(frames, dtype="float32", always_2d=True)

    def close(self) -> None:
        self._file.close()
