"""``codecreg write``: convert and normalize an audio file with ``audio_write``, without Python."""

from __future__ import annotations

import argparse
import sys


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
    parser.add_argument("--sample-rate", type=int, metavar="HZ", help="resample to this rate first (soxr)")
    parser.add_argument("--channels", type=int, metavar="N", help="mix to mono (1) or repeat mono to N channels first")
    parser.set_defaults(run=run_write)


def run_write(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..audio.reading import audio_read
    from ..audio.writer_choice import known_formats
    from ..audio.writing import audio_write

    stem, format = Path(args.output), args.format
    if format is None:
        suffix = stem.suffix[1:]
        format = suffix if suffix in known_formats() else "wav"
        stem = stem.with_suffix("") if suffix == format else stem
    try:
        wav, sample_rate = audio_read(args.input, sample_rate=args.sample_rate, channels=args.channels)
        path = audio_write(stem, wav, sample_rate, format=format, mp3_rate=args.mp3_rate, ogg_rate=args.ogg_rate,
                           normalize=args.normalize, strategy=args.strategy,
                           peak_clip_headroom_db=args.peak_clip_headroom_db, rms_headroom_db=args.rms_headroom_db,
                           loudness_headroom_db=args.loudness_headroom_db,
                           loudness_compressor=args.loudness_compressor,
                           backend=args.backend, sample_format=args.sample_format)
    except (OSError, ValueError, TypeError) as error:
        print(f"codecreg: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path} ({wav.shape[0]} ch, {sample_rate} Hz, {wav.shape[1] / sample_rate:.3f} s, "
          f"{path.stat().st_size} bytes)")
    return 0
