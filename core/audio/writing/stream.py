"""``audio_write_stream``: writing audio that arrives in blocks (a long decode), in memory that does not grow with it.

``clip`` and ``none`` need nothing but the sample at hand, so each block is
normalized and encoded as it comes. ``peak``, ``rms`` and ``loudness`` need the
whole signal measured first: the blocks go to a float32 temporary file (unnamed,
in the output's folder, so it vanishes even if the process is killed) while a
``LevelMeter`` measures them; on a normal exit the gain is planned, and the
temporary is read back in blocks, scaled and encoded. Either way the encoder
writes a hidden temporary file beside the output that is renamed onto it only
when complete (``atomic_file``), and the samples equal ``audio_write``'s of the
whole signal bit for bit (the same measurement, the same gain, the same
per-sample operations).
"""

from __future__ import annotations

import contextlib
import numbers
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, Callable

import numpy as np

from ..arrays import interleaved, to_numpy
from ...files.atomic_file import atomic_write_path, parent_folders_made
from ..levels.measures import LevelMeter, Levels
from ..levels.normalization import (ClippingTally, GainPlan, apply_gain, check_loudness_layout, needs_levels,
                            plan_gain)
from ...files.output_path import file_to_replace
from .writer import AudioWriter
from .writer_choice import choose_writer
from .whole_file import WriteTarget, check_channels_for_format, check_write_target

#: Frames read back from the float32 temporary at a time in the second pass.
SPOOL_READ_FRAMES = 1 << 18


def audio_write_stream(stem_name: str | Path, sample_rate: int, channels: int,
                       format: str = "wav", mp3_rate: int = 320, ogg_rate: int | None = None,
                       normalize: bool = True, strategy: str = "peak", peak_clip_headroom_db: float = 1,
                       rms_headroom_db: float = 18, loudness_headroom_db: float = 14,
                       loudness_compressor: bool = False, log_clipping: bool = True,
                       make_parent_dir: bool = True, add_suffix: bool = True, backend: str | None = None,
                       sample_format: str | None = None) -> "AudioStreamWriter":
    """A writer of ``stem_name.format`` to use as ``with audio_write_stream(...) as out: out.write(block)``.

    The options are ``audio_write``'s, checked now, before any block is made:
    the output path, the format, rate and channel count, the backend. Blocks are
    ``[channels, n]`` (or ``[n]`` for mono) floats, numpy or torch. The file
    appears at ``.path`` when the ``with`` block ends normally; after an
    exception there is no new file and an existing one is left as it was.
    """
    target = check_write_target(stem_name, sample_rate, format, strategy, sample_format, mp3_rate, ogg_rate,
                                make_parent_dir, add_suffix)
    if isinstance(channels, bool) or not isinstance(channels, numbers.Integral) or channels < 1:
        raise ValueError(f"channels must be a positive whole number, got {channels!r} (1 for mono, 2 for stereo)")
    check_channels_for_format(target.format, channels)
    if normalize:
        check_loudness_layout(target.strategy, target.sample_rate, channels, str(stem_name))
    writer = choose_writer(target.format, backend)
    normalization = dict(normalize=normalize, strategy=target.strategy, peak_clip_headroom_db=peak_clip_headroom_db,
                         rms_headroom_db=rms_headroom_db, loudness_headroom_db=loudness_headroom_db,
                         loudness_compressor=loudness_compressor, sample_rate=target.sample_rate,
                         name=str(stem_name))
    encoding = dict(mp3_rate=mp3_rate, ogg_rate=ogg_rate, sample_format=target.sample_format)
    return AudioStreamWriter(target, int(channels), writer, normalization, encoding, log_clipping, make_parent_dir)


class AudioStreamWriter:
    """One output file written from blocks; made by ``audio_write_stream``, used once as a context manager."""

    def __init__(self, target: WriteTarget, channels: int, writer: AudioWriter, normalization: dict[str, Any],
                 encoding: dict[str, Any], log_clipping: bool, make_parent_dir: bool) -> None:
        self.path = target.path
        self.sample_rate = target.sample_rate
        self.channels = channels
        self.format = target.format
        self.frames = 0
        self._writer = writer
        self._normalization = normalization
        self._encoding = encoding
        self._log_clipping = log_clipping
        self._make_parent_dir = make_parent_dir
        self._two_pass = needs_levels(target.strategy)
        self._clipping = ClippingTally(normalization["name"])
        self._state = "new"
        self._failed: BaseException | None = None
        self._stack = contextlib.ExitStack()
        self._spool: Any = None
        self._meter: LevelMeter | None = None
        self._encode: Callable[[np.ndarray], None] | None = None

    def __enter__(self) -> "AudioStreamWriter":
        if self._state != "new":
            raise RuntimeError(f"this AudioStreamWriter of {str(self.path)!r} was already used; "
                               "call audio_write_stream again for another file")
        self._state = "open"
        try:
            if self._make_parent_dir:
                self._stack.enter_context(parent_folders_made(self.path))
            if self._two_pass:
                folder = file_to_replace(self.path).parent
                self._spool = self._stack.enter_context(tempfile.TemporaryFile(dir=folder, prefix=".codecreg-"))
                self._meter = LevelMeter(self.channels, self.sample_rate,
                                         loudness=self._normalization["strategy"] == "loudness"
                                         and self._normalization["normalize"], what="block")
            else:
                self._encode = self._open_encoder()
        except BaseException:
            self._state = "closed"
            self._stack.close()
            raise
        return self

    def write(self, block: Any) -> None:
        """Add ``block`` (``[channels, n]`` or, for mono, ``[n]`` floats) to the file."""
        if self._state != "open":
            raise RuntimeError("write blocks inside `with audio_write_stream(...) as out:`, before it ends")
        samples = _checked_block(block, self.channels)
        if not samples.shape[1]:
            return
        try:
            if self._two_pass:
                self._meter.add(samples)
                self._spool.write(memoryview(interleaved(samples)).cast("B"))
            else:
                self._encode(apply_gain(samples, self._plan(None), self._clipping))
        except BaseException as error:
            self._failed = error
            raise
        self.frames += samples.shape[1]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        self._state = "closed"
        if exc_type is not None:
            return self._stack.__exit__(exc_type, exc, traceback)
        with self._stack:
            self._finish()
        return False

    def _finish(self) -> None:
        if self._failed is not None:
            raise RuntimeError(f"nothing was written to {str(self.path)!r}: writing a block failed earlier "
                               f"({type(self._failed).__name__}: {self._failed})")
        if not self.frames:
            raise ValueError(f"no samples were given for {str(self.path)!r}, so nothing was written: "
                             "call .write(block) with at least one sample")
        if self._two_pass:
            plan = self._plan(self._meter.levels())
            encode = self._open_encoder()
            self._spool.seek(0)
            frame_bytes = 4 * self.channels
            while data := self._spool.read(SPOOL_READ_FRAMES * frame_bytes):
                block = np.frombuffer(data, dtype="<f4").reshape(-1, self.channels).T
                encode(apply_gain(block, plan, self._clipping))
        if self._log_clipping:
            self._clipping.log()

    def _open_encoder(self) -> Callable[[np.ndarray], None]:
        temporary = self._stack.enter_context(atomic_write_path(self.path))
        return self._stack.enter_context(self._writer.open_stream(temporary, self.sample_rate, self.channels,
                                                                  self.format, **self._encoding))

    def _plan(self, levels: Levels | None) -> GainPlan:
        return plan_gain(levels, **self._normalization)


def _checked_block(block: Any, channels: int) -> np.ndarray:
    array = to_numpy(block)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"a block must hold floating point samples in [-1, 1], got dtype {array.dtype}. "
                        "Convert integer PCM first, e.g. block.astype(np.float32) / 32768 for int16.")
    if array.ndim == 1 and channels == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[0] != channels:
        raise ValueError(f"a block must be [channels, n] = [{channels}, n] for this stream, got shape "
                         f"{tuple(array.shape)}" + (" (transpose a [n, C] block: block.T)"
                                                     if array.ndim == 2 and array.shape[1] == channels else ""))
    return np.ascontiguousarray(array, dtype=np.float32)
