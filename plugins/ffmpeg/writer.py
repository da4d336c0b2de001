"""The ``ffmpeg`` writer: raw float32 samples piped to an ffmpeg subprocess, as audiocraft does.

ffmpeg reads interleaved little-endian float32 (``-f f32le``) on its stdin and
encodes wav (pcm_s16le/s24le/f32le), mp3 (libmp3lame), ogg (libvorbis) or flac.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from codecreg import AudioWriter, CodecregError, MissingDependencyError
from codecreg.audio.arrays import interleaved
from codecreg.audio.ffmpeg_binary import locate_ffmpeg

from .binary import encoders

#: The encoder each format needs; a format is offered only when the binary has it.
FORMAT_ENCODERS = {"wav": "pcm_s16le", "mp3": "libmp3lame", "ogg": "libvorbis", "flac": "flac"}
_WAV_CODECS = {"s16": "pcm_s16le", "s24": "pcm_s24le", "f32": "pcm_f32le"}


class FFmpegError(CodecregError, RuntimeError):
    """ffmpeg ran and failed; the message carries ffmpeg's own error text."""


class FFmpegWriter(AudioWriter):
    """Encodes with the ffmpeg program found by ``locate_ffmpeg(binary)``."""

    def __init__(self, binary: str | None = None) -> None:
        self._binary_option = binary
        self._binary: str | None = None

    @property
    def binary(self) -> str:
        if self._binary is None:
            self._binary = locate_ffmpeg(self._binary_option)
        return self._binary

    def unavailable_reason(self) -> str | None:
        try:
            encoders(self.binary)
        except MissingDependencyError as error:
            return str(error)
        return None

    @property
    def formats(self) -> tuple[str, ...]:
        if self.unavailable_reason() is not None:
            return ()
        available = encoders(self.binary)
        return tuple(format for format, encoder in FORMAT_ENCODERS.items() if encoder in available)

    def write(self, path: Path, wav: np.ndarray, sample_rate: int, format: str, **options) -> None:
        with self.open_stream(path, sample_rate, wav.shape[0], format, **options) as write_block:
            write_block(wav)

    @contextlib.contextmanager
    def open_stream(self, path: Path, sample_rate: int, channels: int, format: str, *, mp3_rate: int = 320,
                    ogg_rate: int | None = None, sample_format: str | None = None):
        """One ffmpeg process for the whole file; each block goes down its stdin as it comes."""
        command = [self.binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                   "-f", "f32le", "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0",
                   *output_flags(format, mp3_rate, ogg_rate, sample_format), str(path)]
        with tempfile.TemporaryFile() as stderr:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr)

            def failure(code: int) -> FFmpegError:
                stderr.seek(0)
                message = stderr.read().decode("utf-8", "replace").strip()
                return FFmpegError(f"ffmpeg failed writing {format} ({channels} ch, {sample_rate} Hz), exit code "
                                   f"{code}:\n{message[-2000:] or '(no error text)'}\ncommand: {' '.join(command)}")

            def write_block(block: np.ndarray) -> None:
                try:
                    process.stdin.write(memoryview(interleaved(block)).cast("B"))
                except BrokenPipeError:  # ffmpeg stopped: its exit code and error text say why
                    raise failure(process.wait()) from None

            try:
                yield write_block
                with contextlib.suppress(BrokenPipeError):
                    process.stdin.close()
                code = process.wait()
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            if code != 0:
                raise failure(code)


def output_flags(format: str, mp3_rate: int, ogg_rate: int | None, sample_format: str | None) -> list[str]:
    """ffmpeg's output options for ``format``: audiocraft's, plus the sample formats of wav and flac."""
    if format == "wav":
        return ["-c:a", _WAV_CODECS[sample_format or "s16"], "-f", "wav"]
    if format == "mp3":
        return ["-c:a", "libmp3lame", "-b:a", f"{mp3_rate}k", "-f", "mp3"]
    if format == "ogg":
        return ["-c:a", "libvorbis", *(["-b:a", f"{ogg_rate}k"] if ogg_rate is not None else []), "-f", "ogg"]
    if format == "flac":
        if sample_format == "s24":
            return ["-c:a", "flac", "-sample_fmt", "s32", "-bits_per_raw_sample", "24", "-f", "flac"]
        return ["-c:a", "flac", "-sample_fmt", "s16", "-f", "flac"]
    raise ValueError(f"the ffmpeg writer does not write {format!r}; it writes {', '.join(FORMAT_ENCODERS)}")


def build(binary: str | None = None) -> FFmpegWriter:
    """The factory named by the ``ffmpeg`` WriterSpec; ``binary`` comes from ``ffmpeg?binary=PATH``."""
    return FFmpegWriter(binary)
