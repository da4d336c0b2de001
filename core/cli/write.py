"""``codecreg write``: convert and normalize an audio file with ``audio_write``, without Python."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "write", help="convert and normalize an audio file (audio_write from the shell)",
        description="Read INPUT (wav, flac, ogg, mp3), normalize it and write OUTPUT_STEM.FORMAT atomically. "
                    "Options mirror audio_write's keyword arguments.")
    parser.add_argument("input", help="the audio file to read")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT_STEM",
                        help="output path without suffix; a known suffix (out.mp3) also sets --format")
    parser.add_argument("--format", metavar="FORMAT", help="wav, mp3, ogg, flac (default: OUTPUT's suffix, else wav)")
    parser.add_argument("--strategy", default="peak", metavar="NAME", help="peak, rms, loudness, clip or none (default: peak)")
    parser.add_argument("--no-normalize", dest="normalize", action="store_false",
                        help="keep the level; only scale down what would clip")
    parser.add_argument("--peak-clip-headroom-db", type=float, default=1.0, metavar="DB",
                        help="peak below 0 dBFS for peak and clip (default: 1)")
    parser.add_argument("--rms-headroom-db", type=float, default=18.0, metavar="DB",
                        help="RMS below 0 dBFS for rms (default: 18)")
    parser.add_argument("--loudness-headroom-db", type=float, default=14.0, metavar="DB",
                        help="target -N LUFS for --strategy loudness (default: 14)")
    parser.add_argument("--loudness-compressor", action="store_true", help="tanh soft clipping after loudness gain")
    parser.add_argument("--mp3-rate", type=int, default=320, metavar="KBPS", help="mp3 kbps (default: 320)")
    parser.add_argument("--ogg-rate", type=int, metavar="KBPS", help="ogg kbps (default: the encoder's choice)")
    parser.add_argument("--sample-format", metavar="FMT", help="wav: s16, s24, f32; flac: s16, s24 (default: s16)")
    parser.add_argument("--backend", metavar="NAME", help="writer name, e.g. ffmpeg or soundfile (default: first available)")
    parser.add_argument("--sample-rate", type=_positive_int, metavar="HZ",
                        help="resample to this rate first (soxr)")
    parser.add_argument("--channels", type=_positive_int, metavar="N",
                        help="mix to mono (1) or repeat mono to N channels first")
    parser.set_defaults(run=run_write)


def run_write(args: argparse.Namespace) -> int:
    from ..files.output_path import check_output_path, check_output_stem
    from ..audio.reading.whole_file import audio_read
    from ..audio.writing.whole_file import audio_write

    try:
        path, format = _output_path_and_format(check_output_stem(args.output), args.format)
        check_output_path(path)
        wav, sample_rate = audio_read(args.input, sample_rate=args.sample_rate, channels=args.channels)
        path = audio_write(path, wav, sample_rate, format=format, mp3_rate=args.mp3_rate, ogg_rate=args.ogg_rate,
                           normalize=args.normalize, strategy=args.strategy,
                           peak_clip_headroom_db=args.peak_clip_headroom_db, rms_headroom_db=args.rms_headroom_db,
                           loudness_headroom_db=args.loudness_headroom_db,
                           loudness_compressor=args.loudness_compressor, add_suffix=False,
                           backend=args.backend, sample_format=args.sample_format)
    except (OSError, ValueError, TypeError) as error:
        print(f"codecreg: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path} ({wav.shape[0]} ch, {sample_rate} Hz, {wav.shape[1] / sample_rate:.3f} s, "
          f"{path.stat().st_size} bytes)")
    return 0


def _output_path_and_format(output: Path, format: str | None) -> tuple[Path, str]:
    """The file to write and its format, from ``-o`` and ``--format``; a suffix that is no format is said so."""
    from ..audio.writing.writer_choice import check_format, known_formats

    suffix = output.suffix[1:]
    suffix_format = suffix.lower() if suffix.lower() in known_formats() else None
    if format is None:
        if suffix_format is not None:
            return output, suffix_format
        if suffix:
            print(f"codecreg: note: {suffix!r} is not a format the installed writers write "
                  f"({', '.join(known_formats())}), so {output}.wav is written as wav; "
                  "give --format or a known suffix to choose", file=sys.stderr)
        return output.with_name(f"{output.name}.wav"), "wav"
    format = check_format(format)
    if suffix_format is None:
        return output.with_name(f"{output.name}.{format}"), format
    if suffix_format != format:
        raise ValueError(f"-o {str(output)!r} ends in .{suffix} but --format is {format}: drop one of them, "
                         f"or name the file {output.with_suffix('')}.{format}")
    return output, format


def _positive_int(text: str) -> int:
    """argparse type for counts and rates: 0 and negatives are refused before anything is read."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value
