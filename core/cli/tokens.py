"""``codecreg encode`` and ``codecreg decode``: audio files to token files and back.

Each file is processed on its own: a file that fails is reported and the rest
go on; the exit status is 1 when any failed. Options, the output folder and
outputs that already exist are checked before any work (exit status 2): an
existing output is refused unless ``--skip-existing`` (keep it, do no work for
that input) or ``--overwrite`` (replace it).
"""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("encode", help="encode audio files (or folders of them) into token files")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files or folders (searched recursively)")
    parser.add_argument("--codec", required=True, help="codec name, options allowed (e.g. 'dac_44khz?num_codebooks=4')")
    parser.add_argument("-o", "--out", required=True, help="folder for the .codes files")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    parser.add_argument("--resampler", choices=("soxr", "julius"), default=None,
                        help="how audio at another rate is resampled: soxr (default) or julius (audiocraft's "
                             "numbers); the same as the codec option ?resampler=; recorded in each token file")
    _add_existing_policy(parser)
    parser.set_defaults(run=run_encode)

    parser = subparsers.add_parser("decode", help="decode token files (or folders of them) into audio files")
    parser.add_argument("inputs", nargs="+", metavar="FILE", help=".codes files or folders (searched recursively)")
    parser.add_argument("-o", "--out", required=True, help="folder for the audio files")
    parser.add_argument("--codec", default=None,
                        help="decode with this codec instead of the one each file names (checked against the file)")
    parser.add_argument("--trust-codec-source", action="store_true",
                        help="allow a codec that a token file names by a local path or a source such as hf: "
                             "(refused by default: a token file is data, possibly from someone else)")
    parser.add_argument("--format", default="wav", help="wav, flac, mp3, ogg, ... (default: wav)")
    parser.add_argument("--strategy", default="peak", help="level normalization: peak, rms, loudness, clip, none "
                                                          "(default: peak, as audio_write)")
    parser.add_argument("--mp3-rate", type=int, default=320, help="mp3 bitrate in kbps (default: 320)")
    parser.add_argument("--ogg-rate", type=int, default=None, help="ogg bitrate in kbps (default: encoder's choice)")
    parser.add_argument("--sample-format", default=None, help="s16, s24 or f32 for wav and flac (default: s16)")
    parser.add_argument("--backend", default=None,
                        help="writer backend, e.g. ffmpeg or soundfile (default: the first available)")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    _add_existing_policy(parser)
    parser.set_defaults(run=run_decode)


def _add_existing_policy(parser: argparse.ArgumentParser) -> None:
    policy = parser.add_mutually_exclusive_group()
    policy.add_argument("--skip-existing", action="store_true",
                        help="leave outputs that already exist as they are and do no work for their inputs")
    policy.add_argument("--overwrite", action="store_true", help="replace outputs that already exist")


def run_encode(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..registry.loading import load_codec
    from ..files.inputs import AUDIO_SUFFIXES, expand_inputs, output_paths
    from ..files.output_path import check_output_folder
    from ..registry.names import with_resampler
    from ..tokens.token_file import SUFFIX
    from ..tokens.transcode import encode_file

    name = args.codec if args.resampler is None else with_resampler(args.codec, args.resampler)
    check_output_folder(args.out)
    files, skipped = expand_inputs(args.inputs, AUDIO_SUFFIXES)
    outputs = output_paths(files, Path(args.out), SUFFIX)
    pending = _pending(files, outputs, [[output] for output in outputs], args)
    codec = load_codec(name, device=args.device) if pending else None
    return _each(pending, len(files), skipped, "encode", "not an audio file name",
                 lambda item, output, on_seconds: [encode_file(item.path, codec, output, device=args.device,
                                                               on_seconds=on_seconds)])


def run_decode(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..registry.loading import load_codec
    from ..files.inputs import expand_inputs, output_paths
    from ..files.output_path import check_output_folder
    from ..audio.writing.whole_file import check_write_options
    from ..codec.encode_only import check_decodable, check_decodable_name
    from ..errors import CodecregError
    from ..tokens.token_file import SUFFIX
    from ..tokens.transcode import decode_file

    try:
        format, _, _ = check_write_options(args.format, args.strategy, args.sample_format, args.mp3_rate,
                                           args.ogg_rate)
    except ValueError as error:
        raise CodecregError(str(error)) from None
    check_output_folder(args.out)
    files, skipped = expand_inputs(args.inputs, (SUFFIX,))
    stems = output_paths(files, Path(args.out), "")
    # a file holding a batch is written as stem_0, stem_1, ...: the first of them stands for the rest
    written = [[Path(f"{stem}.{format}"), Path(f"{stem}_0.{format}")] for stem in stems]
    pending = _pending(files, stems, written, args)
    if args.codec:  # an encode-only tokenizer is refused before anything is built or read
        check_decodable_name(args.codec, "decode token files")
    codec = load_codec(args.codec, device=args.device) if args.codec and pending else None
    if codec is not None:
        check_decodable(codec, "decode token files")
    codecs: dict = {}
    options = {"format": format, "strategy": args.strategy, "mp3_rate": args.mp3_rate,
               "ogg_rate": args.ogg_rate, "sample_format": args.sample_format, "backend": args.backend}
    return _each(pending, len(files), skipped, "decode", f"not a {SUFFIX} file",
                 lambda item, stem, on_seconds: decode_file(item.path, stem, codecs, device=args.device, codec=codec,
                                                            trust_codec_source=args.trust_codec_source,
                                                            on_seconds=on_seconds, **options))


def _pending(files, outputs, written, args) -> list:
    """The (input, output) pairs to work on, after the policy for outputs that already exist."""
    from ..errors import CodecregError
    from ..progress import report

    existing = [index for index, paths in enumerate(written) if any(path.exists() for path in paths)]
    if existing and not (args.skip_existing or args.overwrite):
        shown = ", ".join(str(written[index][0]) for index in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise CodecregError(f"{len(existing)} output(s) already exist ({shown}{more}); nothing was done. "
                            "Pass --skip-existing to keep them and do the rest, or --overwrite to replace them")
    if args.skip_existing:
        for index in existing:
            report(f"kept    {written[index][0]} (exists; --skip-existing)")
        kept = set(existing)
        return [pair for index, pair in enumerate(zip(files, outputs)) if index not in kept]
    return list(zip(files, outputs))


def _each(pending, total, skipped, verb, skip_reason, work) -> int:
    """``work(input, output, on_seconds)`` for each pending pair: a bar over the files, and one in
    seconds of audio inside a long file."""
    from ..progress import progress, report, seconds_progress

    for path in skipped:
        report(f"skipped {path} ({skip_reason})")
    if not total:
        report(f"nothing to {verb}: no input files")
        return 1
    failed = 0
    for item, output in progress(pending, description=f"{verb}"):
        try:
            with seconds_progress(f"{verb} {item.path.name}") as on_seconds:
                written = work(item, output, on_seconds)
        except Exception as error:  # one bad file must not stop the others
            failed += 1
            report(f"failed  {item.path}: {type(error).__name__}: {error}")
            continue
        for path in written:
            report(f"wrote   {path}")
    done, kept = len(pending) - failed, total - len(pending)
    print(f"{verb}d {done} of {total} file(s)" + (f", {kept} kept as they were" if kept else "")
          + (f"; {failed} failed (listed above)" if failed else ""))
    return 1 if failed else 0
