"""``codecreg encode`` and ``codecreg decode``: audio files to token files and back.

Each file is processed on its own: a file that fails is reported and the rest
go on; the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("encode", help="encode audio files (or folders of them) into token files")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files or folders (searched recursively)")
    parser.add_argument("--codec", required=True, help="codec name, options allowed (e.g. 'dac_44khz?num_codebooks=4')")
    parser.add_argument("-o", "--out", required=True, help="folder for the .codes files")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    parser.set_defaults(run=run_encode)

    parser = subparsers.add_parser("decode", help="decode token files (or folders of them) into audio files")
    parser.add_argument("inputs", nargs="+", metavar="FILE", help=".codes files or folders (searched recursively)")
    parser.add_argument("-o", "--out", required=True, help="folder for the audio files")
    parser.add_argument("--format", default="wav", help="wav, flac, mp3, ogg, ... (default: wav)")
    parser.add_argument("--strategy", default="peak", help="level normalization: peak, rms, loudness, clip, none "
                                                          "(default: peak, as audio_write)")
    parser.add_argument("--mp3-rate", type=int, default=320, help="mp3 bitrate in kbps (default: 320)")
    parser.add_argument("--ogg-rate", type=int, default=None, help="ogg bitrate in kbps (default: encoder's choice)")
    parser.add_argument("--sample-format", default=None, help="s16, s24 or f32 for wav and flac (default: s16)")
    parser.add_argument("--backend", default=None,
                        help="writer backend, e.g. ffmpeg or soundfile (default: the first available)")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    parser.set_defaults(run=run_decode)


def run_encode(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..api import load_codec
    from ..audio.inputs import AUDIO_SUFFIXES, expand_inputs, output_paths
    from ..tokens.token_file import SUFFIX
    from ..tokens.transcode import encode_file

    files, skipped = expand_inputs(args.inputs, AUDIO_SUFFIXES)
    outputs = output_paths(files, Path(args.out), SUFFIX)
    codec = load_codec(args.codec, device=args.device)
    return _each(files, outputs, skipped, "encode", "not an audio file name",
                 lambda item, output: [encode_file(item.path, codec, output, device=args.device)])


def run_decode(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..audio.inputs import expand_inputs, output_paths
    from ..tokens.token_file import SUFFIX
    from ..tokens.transcode import decode_file

    files, skipped = expand_inputs(args.inputs, (SUFFIX,))
    stems = output_paths(files, Path(args.out), "")
    codecs: dict = {}
    options = {"format": args.format, "strategy": args.strategy, "mp3_rate": args.mp3_rate,
               "ogg_rate": args.ogg_rate, "sample_format": args.sample_format, "backend": args.backend}
    return _each(files, stems, skipped, "decode", f"not a {SUFFIX} file",
                 lambda item, stem: decode_file(item.path, stem, codecs, device=args.device, **options))


def _each(files, outputs, skipped, verb, skip_reason, work) -> int:
    from ..progress import progress, report

    for path in skipped:
        report(f"skipped {path} ({skip_reason})")
    if not files:
        report(f"nothing to {verb}: no input files")
        return 1
    failed = 0
    for item, output in progress(list(zip(files, outputs)), description=f"{verb}"):
        try:
            written = work(item, output)
        except Exception as error:  # one bad file must not stop the others
            failed += 1
            report(f"failed  {item.path}: {type(error).__name__}: {error}")
            continue
        for path in written:
            report(f"wrote   {path}")
    done = len(files) - failed
    print(f"{verb}d {done} of {len(files)} file(s)" + (f"; {failed} failed (listed above)" if failed else ""))
    return 1 if failed else 0
