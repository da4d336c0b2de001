"""Decoding a file with an ffmpeg subprocess, frames at the file's own rate: mp3 and what libsndfile cannot read.

ffmpeg decodes the first audio stream to float32 WAV on a pipe, at the
stream's own rate and channel count (no resampling or mixing by ffmpeg: that
is done block by block in Python, as for every other source). The WAV header
gives the rate and the channels; the duration is what the container declares
(an estimate for mp3 without a Xing/LAME header), so ``frames`` stays None.
A segment's start is reached by decoding and dropping what comes before,
which is exact at the sample where ffmpeg's own seeking is not.
"""

from __future__ import annotations

import contextlib
import re
import struct
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..ffmpeg_binary import locate_ffmpeg

_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")


class FFmpegDecodeError(ValueError):
    """ffmpeg could not decode the file; the message carries its own error text."""


class FFmpegSource:
    """A running ``ffmpeg -i path -f wav -c:a pcm_f32le -`` read in frames ``[n, C]`` float32."""

    decoder = "ffmpeg"

    def __init__(self, path: Path) -> None:
        self._stderr = tempfile.TemporaryFile()
        command = [locate_ffmpeg(), "-hide_banner", "-nostdin", "-nostats", "-v", "info", "-i", str(path),
                   "-map", "0:a:0", "-vn", "-c:a", "pcm_f32le", "-f", "wav", "pipe:1"]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=self._stderr)
        try:
            self.channels, self.rate = self._read_header()
        except BaseException:
            self.close()
            raise
        self.frames: int | None = None
        self.declared_seconds = self._declared_duration()
        self._frame_bytes = 4 * self.channels

    def start_at(self, frame: int) -> None:
        while frame > 0:
            dropped = self.read(min(frame, 1 << 16)).shape[0]
            if dropped == 0:
                return
            frame -= dropped

    def read(self, frames: int) -> np.ndarray:
        """Up to ``frames`` frames; fewer only at the end of the stream."""
        data = self._exactly(frames * self._frame_bytes, at_end_ok=True)
        data = data[: len(data) - len(data) % self._frame_bytes]
        if len(data) < frames * self._frame_bytes:
            self._check_exit()
        return np.frombuffer(data, dtype="<f4").reshape(-1, self.channels).astype(np.float32, copy=False)

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        with contextlib.suppress(OSError):
            self._process.stdout.close()
        self._stderr.close()

    def _read_header(self) -> tuple[int, int]:
        if self._exactly(12)[:4] != b"RIFF":
            self._check_exit(always=True)
        channels = rate = 0
        while True:
            chunk = self._exactly(8)
            name, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if name == b"data":  # on a pipe its size cannot be filled in: the rest is samples
                if not channels:
                    raise FFmpegDecodeError("ffmpeg's WAV stream has no format chunk before its samples")
                return channels, rate
            body = self._exactly(size + (size & 1))
            if name == b"fmt ":
                channels, rate = struct.unpack("<HI", body[2:8])

    def _exactly(self, size: int, at_end_ok: bool = False) -> bytes:
        parts, missing = [], size
        while missing:
            part = self._process.stdout.read(missing)
            if not part:
                break
            parts.append(part)
            missing -= len(part)
        data = b"".join(parts)
        if missing and not at_end_ok:
            self._check_exit(always=True)
        return data

    def _check_exit(self, always: bool = False) -> None:
        code = self._process.wait()
        if code != 0 or always:
            self._stderr.seek(0)
            message = self._stderr.read().decode("utf-8", "replace").strip()
            # "[in#0 @ 0x55d0547d7d80]": the address differs from process to process; the message must not
            message = re.sub(r" @ 0x[0-9a-f]+\]", "]", message)
            raise FFmpegDecodeError(f"ffmpeg (exit code {code}): {message[-1500:] or '(no error text)'}")

    def _declared_duration(self) -> float | None:
        self._stderr.seek(0)
        found = _DURATION.search(self._stderr.read().decode("utf-8", "replace"))
        self._stderr.seek(0, 2)
        if found is None:
            return None
        hours, minutes, seconds = found.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
