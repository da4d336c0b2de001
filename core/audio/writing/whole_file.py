"""``audio_write``: audiocraft's function for saving generated audio, with pluggable writer backends.

Same signature and defaults as ``audiocraft.data.audio.audio_write``, so code
ports unchanged, plus ``backend`` and ``sample_format``. Everything is checked
before a byte is written; the file appears at its final path only once
complete (docs/writing.md).
"""

from __future__ import annotations

import contextlib
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..arrays import as_float_audio
from ...files.atomic_file import atomic_write_path, parent_folders_made
from ..levels.normalization import check_strategy, normalize_audio
from ...files.output_path import check_output_path
from .writer import FORMAT_MAX_CHANNELS, FORMAT_SAMPLE_RATES, SAMPLE_FORMATS
from .writer_choice import check_format, choose_writer


def audio_write(stem_name: str | Path, wav: Any, sample_rate: int,
                format: str = "wav", mp3_rate: int = 320, ogg_rate: int | None = None,
                normalize: bool = True, strategy: str = "peak", peak_clip_headroom_db: float = 1,
                rms_headroom_db: float = 18, loudness_headroom_db: float = 14,
                loudness_compressor: bool = False,
                log_clipping: bool = True, make_parent_dir: bool = True,
                add_suffix: bool = True, backend: str | None = None,
                sample_format: str | None = None) -> Path:
    """Normalize ``wav`` ([T] or [C, T] floats, numpy or torch) and write it to ``stem_name.format``.

    The path is checked before any work (``check_output_path``): a symbolic link
    there is written through to its target, anything but a regular file is refused.

    Args:
        format: wav, mp3, ogg or flac (or any format a writer plugin adds), in any case; the suffix
            added is lower case.
        mp3_rate / ogg_rate: kbps; ``ogg_rate=None`` lets the Vorbis encoder choose.
        normalize, strategy, *_headroom_db, loudness_compressor: see ``codecreg.audio.levels.normalization``;
            with ``normalize=False`` only the gain that prevents clipping applies.
        log_clipping: log (warning) how much was clipped, with the stem name.
        add_suffix: append ``.format`` to ``stem_name``.
        backend: a writer name such as ``"ffmpeg"`` or ``"soundfile"`` (options allowed:
            ``"ffmpeg?binary=/usr/bin/ffmpeg"``); None picks the first available one.
        sample_format: ``s16`` (default), ``s24`` or ``f32`` (wav only) for wav and flac.
    Returns:
        The path written.
    """
    target = check_write_target(stem_name, sample_rate, format, strategy, sample_format, mp3_rate, ogg_rate,
                                make_parent_dir, add_suffix)
    audio = as_float_audio(wav)
    check_channels_for_format(target.format, audio.shape[0])
    writer = choose_writer(target.format, backend)
    audio = normalize_audio(audio, normalize, target.strategy, peak_clip_headroom_db, rms_headroom_db,
                            loudness_headroom_db, loudness_compressor, log_clipping=log_clipping,
                            sample_rate=target.sample_rate, stem_name=str(stem_name))

    with parent_folders_made(target.path) if make_parent_dir else contextlib.nullcontext(), \
            atomic_write_path(target.path) as temporary:
        writer.write(temporary, audio, target.sample_rate, target.format,
                     mp3_rate=mp3_rate, ogg_rate=ogg_rate, sample_format=target.sample_format)
    return target.path


@dataclass(frozen=True)
class WriteTarget:
    """Where and how a file will be written, every option checked."""

    path: Path
    sample_rate: int
    format: str
    sample_format: str | None
    strategy: str


def check_write_target(stem_name: str | Path, sample_rate: int, format: str = "wav", strategy: str = "peak",
                       sample_format: str | None = None, mp3_rate: int = 320, ogg_rate: int | None = None,
                       make_parent_dir: bool = True, add_suffix: bool = True) -> WriteTarget:
    """Check everything about a write that does not depend on the samples, the output path included."""
    sample_rate = _checked_sample_rate(sample_rate)
    format, sample_format, strategy = check_write_options(format, strategy, sample_format, mp3_rate, ogg_rate)
    _check_rate_for_format(format, sample_rate)
    path = Path(str(stem_name) + (f".{format}" if add_suffix else ""))
    check_output_path(path, make_parent_dir)
    return WriteTarget(path, sample_rate, format, sample_format, strategy)


def check_write_options(format: str = "wav", strategy: str = "peak", sample_format: str | None = None,
                        mp3_rate: int = 320, ogg_rate: int | None = None) -> tuple[str, str | None, str]:
    """Check ``audio_write``'s options that do not depend on the audio, before any work is done for it.

    Returns ``(format, sample_format, strategy)`` as ``audio_write`` uses them (lower-case
    format, the format's default sample format, audiocraft's ``''`` strategy as ``'none'``).
    """
    format = check_format(format)
    sample_format = _checked_sample_format(format, sample_format)
    _check_bitrate("mp3_rate", mp3_rate)
    if ogg_rate is not None:
        _check_bitrate("ogg_rate", ogg_rate)
    return format, sample_format, check_strategy(strategy)


def _checked_sample_rate(sample_rate: Any) -> int:
    if (isinstance(sample_rate, bool) or not isinstance(sample_rate, numbers.Real)
            or not float(sample_rate).is_integer()):
        raise TypeError(f"sample_rate must be a whole number of Hz, got {sample_rate!r}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate!r}: pass the rate the audio was "
                         "made at, e.g. model.sample_rate")
    return int(sample_rate)


def _check_rate_for_format(format: str, sample_rate: int) -> None:
    rates = FORMAT_SAMPLE_RATES.get(format)
    if rates is not None and sample_rate not in rates:
        raise ValueError(f"{format} cannot store {sample_rate} Hz audio (its rates: {', '.join(map(str, rates))}); "
                         "resample first, e.g. with codecreg.convert_audio, or write flac/ogg/wav")


def check_channels_for_format(format: str, channels: int) -> None:
    limit = FORMAT_MAX_CHANNELS.get(format)
    if limit is not None and channels > limit:
        raise ValueError(f"{format} holds at most {limit} channels, got {channels}; mix down first "
                         f"(codecreg.convert_audio(wav, sr, sr, {limit})) or write wav, flac or ogg")


def _checked_sample_format(format: str, sample_format: str | None) -> str | None:
    choices = SAMPLE_FORMATS.get(format)
    if choices is None:
        if sample_format is not None:
            raise ValueError(f"sample_format applies to {' and '.join(SAMPLE_FORMATS)} only; "
                             f"{format} chooses its own, so leave sample_format=None")
        return None
    if sample_format is None:
        return choices[0]
    if sample_format not in choices:
        raise ValueError(f"{format} cannot store {sample_format!r} samples; choose one of {', '.join(choices)}")
    return sample_format


def _check_bitrate(name: str, kbps: Any) -> None:
    if isinstance(kbps, bool) or not isinstance(kbps, numbers.Integral) or kbps <= 0:
        raise ValueError(f"{name} is a bitrate in kbps and must be a positive integer, got {kbps!r}")
