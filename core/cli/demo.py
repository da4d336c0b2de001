"""``codecreg demo``: synthesize a few seconds of audio, round-trip it through a codec, write the files."""

from __future__ import annotations

import argparse
import time

DEFAULT_CODEC = "debug_compression_model"


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="encode, decode and write a synthesized clip")
    parser.add_argument("--codec", default=DEFAULT_CODEC, help=f"codec name (default: {DEFAULT_CODEC})")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the clip (default: 4)")
    parser.add_argument("--out", default="out/demo", help="folder for the files (default: out/demo)")
    parser.add_argument("--formats", default="wav,mp3", help="comma-separated formats (default: wav,mp3)")
    parser.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    import torch

    from ..registry.loading import load_codec
    from ..audio.synthetic import synthetic_audio
    from ..audio.writing.whole_file import audio_write

    torch.manual_seed(0)
    start = time.perf_counter()
    codec = load_codec(args.codec)
    print(f"codec   {codec.name}: {codec.sample_rate} Hz, {codec.channels} ch, {codec.frame_rate:g} frames/s, "
          f"{codec.num_codebooks}x{codec.cardinality} codebooks, {codec.bitrate:.3g} kbps "
          f"(built in {time.perf_counter() - start:.2f} s)")
    length = int(args.seconds * codec.sample_rate)
    audio = torch.from_numpy(synthetic_audio(codec.channels, length, codec.sample_rate))

    start = time.perf_counter()
    codes, scale = codec.encode(audio)
    encoded_in = time.perf_counter() - start
    start = time.perf_counter()
    decoded = codec.decode(codes, scale, length=length)
    decoded_in = time.perf_counter() - start
    print(f"encode  {tuple(audio.shape)} -> codes {tuple(codes.shape)} {codes.dtype} in {encoded_in:.2f} s")
    print(f"decode  -> {tuple(decoded.shape)} in {decoded_in:.2f} s")

    out = Path(args.out)
    for format in [f.strip() for f in args.formats.split(",") if f.strip()]:
        for stem, wav in (("original", audio[0]), ("decoded", decoded[0])):
            path = audio_write(out / stem, wav, codec.sample_rate, format=format)
            print(f"wrote   {path} ({path.stat().st_size} bytes)")
    return 0
