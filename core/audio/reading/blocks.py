"""Reading an audio file in blocks of a fixed length, converted to a rate and channel count, in bounded memory.

``read_blocks`` decodes with libsndfile (wav, flac, ogg, aiff, ...) or an
ffmpeg pipe (mp3, and whatever libsndfile cannot read), converts each decoded
piece with ``BlockConverter`` (the channel rules of ``convert_audio``, soxr's
streaming resampler) and cuts the result into blocks of exactly
``block_seconds``. The blocks joined equal ``convert_audio(audio_read(path))``
bit for bit whatever ``block_seconds`` is: ``audio_read`` is these blocks
joined, and the conversion gives the same samples streamed or at once.
"""

from __future__ import annotations

import contextlib
import logging
import math
import numbers
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ...errors import AudioReadError, CodecregError
from .block_conversion import BlockConverter
from .conversion import DEFAULT_RESAMPLER, check_resampler, convert_audio_channels, import_audio_module
from ..ffmpeg_binary import FFmpegNotFoundError, locate_ffmpeg
from .ffmpeg_source import FFmpegDecodeError, FFmpegSource
from .sndfile_source import SndfileSource

#: Suffixes decoded by ffmpeg first (libsndfile reads mp3 too, and is the fall-back without ffmpeg).
FFMPEG_FIRST = (".mp3",)
#: How far past an ffmpeg source's declared (estimated) duration a segment may reach before it is refused.
DECLARED_DURATION_SLACK = 0.1

log = logging.getLogger(__name__)


class AudioFileNotFoundError(AudioReadError, FileNotFoundError):
    """No file at the path given."""


class AudioPathIsFolderError(AudioReadError, IsADirectoryError):
    """The path given names a folder."""


def read_blocks(path: str | Path, sample_rate: int | None, channels: int | None, *, block_seconds: float = 10.0,
                start: float | None = None, end: float | None = None,
                allow_end_past_file: bool = False, resampler: str = DEFAULT_RESAMPLER) -> "AudioBlocks":
    """The audio of ``path`` (or of its segment ``start``..``end``, in seconds) as ``[channels, n]`` float32 blocks.

    ``sample_rate`` or ``channels`` None keep the file's own. Every block holds
    ``round(block_seconds * sample_rate)`` samples but the last (never empty). ``start``/``end`` become the exact frames ``round(start * rate)``
    and ``round(end * rate)`` at the file's own rate. Checked before any decoding:
    the path, the arguments, and the segment against the file's length
    (``allow_end_past_file=True`` lets it reach past the end, as ``audio_read``'s
    ``duration`` may: the blocks then stop with the file). ``resampler`` is
    ``convert_audio``'s: "soxr" (default) or "julius" (audiocraft's numbers).
    """
    return AudioBlocks(path, sample_rate, channels, block_seconds, start, end, allow_end_past_file,
                       resampler=resampler)


class AudioBlocks:
    """An iterable of blocks (each iteration decodes the file again), with what is known of the source up front.

    Attributes: ``path``, ``source_rate``, ``source_channels``, ``decoder``
    (``"libsndfile"`` or ``"ffmpeg"``), ``duration`` (seconds of the segment;
    for an ffmpeg source the container's estimate, None when it declares none),
    ``sample_rate``, ``channels``, ``block_frames``, ``resampler``.
    """

    def __init__(self, path: str | Path, sample_rate: int | None, channels: int | None, block_seconds: float = 10.0,
                 start: float | None = None, end: float | None = None, allow_end_past_file: bool = False, *,
                 frame_span: Callable[[int], tuple[int, int | None]] | None = None,
                 resampler: str = DEFAULT_RESAMPLER) -> None:
        """``frame_span(rate)``, instead of ``start``/``end``, gives the segment as ``(first frame, frame
        after the last or None)`` at the file's rate: how ``audio_read`` counts frames as audiocraft does.
        A span starting at or past the end of the file then reads as empty."""
        if sample_rate is not None:
            _positive_whole("sample_rate", sample_rate, "e.g. codec.sample_rate, or None for the file's")
        if channels is not None:
            _positive_whole("channels", channels, "1 for mono, 2 for stereo, or None for the file's")
        self.resampler = check_resampler(resampler)
        self.path = checked_audio_path(path)
        with contextlib.closing(open_source(self.path)) as source:
            self._source_type = type(source)
            self.decoder = source.decoder
            self.source_rate, self.source_channels = source.rate, source.channels
            exact_frames = source.frames
            declared = getattr(source, "declared_seconds", None)
        self.sample_rate = self.source_rate if sample_rate is None else int(sample_rate)
        self.channels = self.source_channels if channels is None else int(channels)
        self.block_frames = _block_frames(block_seconds, self.sample_rate)
        convert_audio_channels(np.zeros((self.source_channels, 1), np.float32), self.channels)  # refuse 2 -> 3 now
        if frame_span is None:
            self._start, self._end = _segment_frames(start, end, self.source_rate, exact_frames, declared,
                                                     allow_end_past_file, self.path)
        else:
            self._start, self._end = _spanned_frames(frame_span(self.source_rate), exact_frames)
        self.duration = _segment_seconds(self._start, self._end, self.source_rate, declared)

    def __iter__(self) -> Iterator[np.ndarray]:
        pending = _Pending(self.channels)
        with contextlib.closing(self._decoding(self._source_type, self.path)) as source:
            converter = BlockConverter(source.rate, self.sample_rate, source.channels, self.channels, self.resampler)
            remaining = None if self._end is None else max(0, self._end - self._start)
            if remaining != 0:  # nothing to read: a seek at or past the end is never asked of the decoder
                self._decoding(source.start_at, self._start)
            piece = max(1, round(self.block_frames * source.rate / self.sample_rate))
            while True:
                wanted = piece if remaining is None else min(piece, remaining)
                frames = self._decoding(source.read, wanted) if wanted else np.zeros((0, source.channels), np.float32)
                if remaining is not None:
                    remaining -= frames.shape[0]
                last = frames.shape[0] < wanted or remaining == 0
                pending.add(converter.convert(np.ascontiguousarray(frames.T), last=last))
                yield from pending.full_blocks(self.block_frames)
                if last:
                    break
        if pending.frames:
            yield pending.take(pending.frames)

    def _decoding(self, call: Callable[..., Any], *args: Any) -> Any:
        """``call(*args)`` on the decoder; its failure, whatever the library, becomes an AudioReadError naming the file."""
        try:
            return call(*args)
        except CodecregError:
            raise
        except Exception as error:
            raise AudioReadError(f"reading {str(self.path)!r} failed ({self.decoder}): {type(error).__name__}: "
                                 f"{error}. The file may be truncated or damaged: check that it plays, or "
                                 "re-encode it") from error

    def __repr__(self) -> str:
        return (f"AudioBlocks({str(self.path)!r}, {self.sample_rate} Hz, {self.channels} ch, "
                f"{self.block_frames} frames a block, from {self.source_rate} Hz {self.source_channels} ch)")


def checked_audio_path(path: str | Path) -> Path:
    """``path`` as a Path if it names a file; a missing path or a folder is refused."""
    path = Path(path)
    if path.is_dir():
        raise AudioPathIsFolderError(f"{str(path)!r} is a folder, not an audio file: name a file in it")
    if not path.is_file():
        raise AudioFileNotFoundError(f"no audio file at {str(path)!r}: check the path")
    return path


def open_source(path: Path) -> Any:
    """An open decoder of ``path``: ffmpeg first for mp3, else libsndfile, then ffmpeg for what libsndfile refuses."""
    soundfile = import_audio_module("soundfile")
    if path.suffix.lower() in FFMPEG_FIRST:
        try:
            locate_ffmpeg()
        except FFmpegNotFoundError as error:
            log.info("no ffmpeg to decode %s, reading it with libsndfile: %s", path, error)
        else:
            return _ffmpeg_source(path, "")
    try:
        return SndfileSource(path)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:  # what soundfile raises for a bad file
        refused = f"with libsndfile {soundfile.__libsndfile_version__} ({error})"
    except OSError as error:  # unreadable: permissions, a device error
        raise AudioReadError(f"cannot open {str(path)!r}: {error}") from None
    return _ffmpeg_source(path, refused)


def _ffmpeg_source(path: Path, refused: str) -> FFmpegSource:
    attempts = f"{refused} nor " if refused else ""
    try:
        return FFmpegSource(path)
    except FFmpegNotFoundError as error:
        raise AudioReadError(f"cannot read {str(path)!r} {refused}, and there is no ffmpeg to try ({error})") from None
    except (FFmpegDecodeError, OSError) as error:
        raise AudioReadError(f"cannot read {str(path)!r} {attempts}with {error}. Is it an audio file? "
                         "libsndfile reads wav, flac, ogg and mp3; ffmpeg reads most other formats.") from None


class _Pending:
    """Converted samples not yet handed out, cut into blocks of an exact length."""

    def __init__(self, channels: int) -> None:
        self._parts: list[np.ndarray] = []
        self._channels = channels
        self.frames = 0

    def add(self, samples: np.ndarray) -> None:
        if samples.shape[1]:
            self._parts.append(samples)
            self.frames += samples.shape[1]

    def full_blocks(self, size: int) -> Iterator[np.ndarray]:
        while self.frames >= size:
            yield self.take(size)

    def take(self, size: int) -> np.ndarray:
        block = np.empty((self._channels, size), np.float32)
        filled = 0
        while filled < size:
            part = self._parts[0]
            used = min(size - filled, part.shape[1])
            block[:, filled:filled + used] = part[:, :used]
            filled += used
            if used == part.shape[1]:
                self._parts.pop(0)
            else:
                self._parts[0] = part[:, used:]
        self.frames -= size
        return block


def _positive_whole(name: str, value: Any, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value).is_integer() or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r} ({example})")
    return int(value)


def _block_frames(block_seconds: Any, sample_rate: int) -> int:
    if isinstance(block_seconds, bool) or not isinstance(block_seconds, numbers.Real) \
            or not math.isfinite(block_seconds) or round(block_seconds * sample_rate) < 1:
        raise ValueError(f"block_seconds must be a positive number of seconds holding at least one sample at "
                         f"{sample_rate} Hz, got {block_seconds!r} (e.g. 10.0)")
    return round(block_seconds * sample_rate)


def _segment_frames(start: Any, end: Any, rate: int, exact_frames: int | None, declared: float | None,
                    allow_end_past_file: bool, path: Path) -> tuple[int, int | None]:
    """``(first frame, frame after the last or None for the file's end)``; a segment outside the file is refused."""
    for name, value in (("start", start), ("end", end)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)
                                  or not math.isfinite(value) or value < 0):
            raise ValueError(f"{name} must be a time in seconds, at least 0, got {value!r}")
    if start is not None and end is not None and end <= start:
        raise ValueError(f"start ({start} s) must come before end ({end} s)")
    first = round(start * rate) if start is not None else 0
    stop = round(end * rate) if end is not None else None
    if stop is not None and stop <= first:
        raise ValueError(f"the segment {start} s .. {end} s holds no sample at {rate} Hz: widen it")
    if exact_frames is None and declared is None:
        return first, stop
    if not allow_end_past_file:
        _check_within(start, end, first, stop, exact_frames, declared, path)
    if exact_frames is not None:
        stop = exact_frames if stop is None else min(stop, exact_frames)
    return first, stop


def _spanned_frames(span: tuple[int, int | None], exact_frames: int | None) -> tuple[int, int | None]:
    """A ``frame_span``'s frames, the end cut at the file's length; a start past it reads nothing."""
    first, stop = span
    if exact_frames is not None:
        first = min(first, exact_frames)
        stop = exact_frames if stop is None else min(stop, exact_frames)
    if stop is not None:
        stop = max(stop, first)
    return first, stop


def _check_within(start: Any, end: Any, first: int, stop: int | None, exact_frames: int | None,
                  declared: float | None, path: Path) -> None:
    if exact_frames is not None:
        length, how = f"{exact_frames} frames", "length"
        starts_past, ends_past = first >= exact_frames, stop is not None and stop > exact_frames
    else:
        length, how = f"{declared:.3f} s", "declared duration"
        starts_past = start is not None and start >= declared
        ends_past = end is not None and end > declared + DECLARED_DURATION_SLACK
    if starts_past and (start or exact_frames):
        raise ValueError(f"start {start} s is at or past the end of {str(path)!r} (its {how} is {length})")
    if ends_past:
        raise ValueError(f"end {end} s is past the end of {str(path)!r} (its {how} is {length}); "
                         "leave end=None to read to the end")


def _segment_seconds(first: int, stop: int | None, rate: int, declared: float | None) -> float | None:
    if stop is not None:
        return max(0, stop - first) / rate
    return None if declared is None else max(0.0, declared - first / rate)
