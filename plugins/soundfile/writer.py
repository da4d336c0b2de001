"""The ``soundfile`` writer: libsndfile in process, for the formats this libsndfile can write.

Which formats that is depends on how libsndfile was built (mp3 and ogg need
1.1+ with LAME/mpg123 and Vorbis), so it is probed once per process by
encoding a few samples of each format into memory.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
from pathlib import Path

import numpy as np
import soundfile

from codecreg import AudioWriter, CodecregError
from codecreg.audio.arrays import interleaved

# format -> (libsndfile container, {sample_format: subtype}); None keys the lossy formats' only subtype.
SUBTYPES = {
    "wav": ("WAV", {"s16": "PCM_16", "s24": "PCM_24", "f32": "FLOAT"}),
    "flac": ("FLAC", {"s16": "PCM_16", "s24": "PCM_24"}),
    "mp3": ("MP3", {None: "MPEG_LAYER_III"}),
    "ogg": ("OGG", {None: "VORBIS"}),
}
# LAME's constant bitrates span these kbps for MPEG-1 (>= 32 kHz), MPEG-2 (>= 16 kHz) and MPEG-2.5.
_MP3_BITRATE_RANGES = ((32000, 32, 320), (16000, 8, 160), (0, 8, 64))

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=None)
def writable_formats() -> tuple[str, ...]:
    """The formats this libsndfile really writes: each is tried on 1152 samples in memory."""
    silence = np.zeros(1152, dtype=np.float32)
    formats = []
    for format, (container, subtypes) in SUBTYPES.items():
        subtype = next(iter(subtypes.values()))
        try:
            soundfile.write(io.BytesIO(), silence, 32000, format=container, subtype=subtype)
        except (soundfile.LibsndfileError, TypeError, ValueError, RuntimeError) as error:
            log.info("libsndfile %s cannot write %s here: %s", soundfile.__libsndfile_version__, format, error)
            continue
        formats.append(format)
    return tuple(formats)


def mp3_compression_level(kbps: int, sample_rate: int) -> float:
    """libsndfile's setting for a constant ``kbps``: it picks ``max - level * (max - min)`` kbps, truncated.

    Half a kbps of margin keeps the truncation from landing one below; rates
    beyond the MPEG version's range are clamped, as LAME (and ffmpeg) do.
    """
    low, high = next((low, high) for floor, low, high in _MP3_BITRATE_RANGES if sample_rate >= floor)
    if not low <= kbps <= high:
        log.info("mp3 at %d Hz allows %d to %d kbps: %d kbps clamped", sample_rate, low, high, kbps)
    return min(1.0, max(0.0, (high - kbps - 0.5) / (high - low)))


class SoundfileWriteError(CodecregError, RuntimeError):
    """libsndfile refused to write; the message carries its own error text."""


class SoundfileWriter(AudioWriter):
    """Writes through ``soundfile.SoundFile`` in this process: no subprocess, no pipe."""

    @property
    def formats(self) -> tuple[str, ...]:
        return writable_formats()

    def write(self, path: Path, wav: np.ndarray, sample_rate: int, format: str, **options) -> None:
        with self.open_stream(path, sample_rate, wav.shape[0], format, **options) as write_block:
            write_block(wav)

    @contextlib.contextmanager
    def open_stream(self, path: Path, sample_rate: int, channels: int, format: str, *, mp3_rate: int = 320,
                    ogg_rate: int | None = None, sample_format: str | None = None):
        """One ``soundfile.SoundFile`` open for the whole file; each block is encoded as it comes."""
        if format not in SUBTYPES:
            raise ValueError(f"the soundfile writer does not write {format!r}; it writes {', '.join(self.formats)}")
        if format == "ogg" and ogg_rate is not None:
            raise ValueError("libsndfile sets a Vorbis quality, not a bitrate, so the soundfile writer cannot honour "
                             f"ogg_rate={ogg_rate}: use backend='ffmpeg', or ogg_rate=None")
        container, subtypes = SUBTYPES[format]
        subtype = next(iter(subtypes.values())) if sample_format is None else subtypes.get(sample_format)
        if subtype is None:
            raise ValueError(f"{format} cannot store {sample_format!r} samples; choose one of {', '.join(subtypes)}")
        settings = {}
        if format == "mp3":
            settings = {"compression_level": mp3_compression_level(mp3_rate, sample_rate), "bitrate_mode": "CONSTANT"}
        try:
            with soundfile.SoundFile(path, "w", samplerate=sample_rate, channels=channels, format=container,
                                     subtype=subtype, **settings) as output:
                yield lambda block: output.write(interleaved(block))
        except soundfile.LibsndfileError as error:
            raise SoundfileWriteError(
                f"libsndfile {soundfile.__libsndfile_version__} could not write {format} ({subtype}, "
                f"{channels} ch, {sample_rate} Hz): {error.error_string}") from error


def build() -> SoundfileWriter:
    """The factory named by the ``soundfile`` WriterSpec."""
    return SoundfileWriter()
