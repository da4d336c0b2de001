"""``codecreg list``, ``plugins``, ``info`` and ``writers``: what is installed, without building anything."""

from __future__ import annotations

import argparse
import dataclasses


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("list", help="list codecs (fnmatch PATTERN, e.g. 'dac_*')")
    parser.add_argument("pattern", nargs="?", help="wildcard over names and aliases")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(run=run_list)

    parser = subparsers.add_parser("plugins", help="list plugin distributions and their status")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(run=run_plugins)

    parser = subparsers.add_parser("info", help="show a codec's metadata without building it")
    parser.add_argument("name", help="a registered codec name or alias, with num_codebooks or bandwidth if wanted")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(run=run_info)

    parser = subparsers.add_parser("writers", help="list audio writer backends and their formats")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--probe", action="store_true",
                        help="build each writer and check what it can write here (finds ffmpeg, probes formats)")
    parser.set_defaults(run=run_writers)


def run_list(args: argparse.Namespace) -> int:
    from ..registry.loading import list_codecs
    from .output import print_json, print_table

    specs = list_codecs(args.pattern)
    if args.json:
        print_json([spec.as_dict() for spec in specs])
        return 0
    print_table(
        ["name", "plugin (distribution)", "rate Hz", "ch", "frames/s", "codebooks", "kbps", "status"],
        [[spec.name, f"{spec.plugin} ({spec.distribution})", spec.sample_rate, spec.channels,
          round(spec.frame_rate, 2), f"{spec.num_codebooks}x{spec.cardinality}", round(spec.bitrate(), 3),
          spec.status()] for spec in specs],
    )
    if not specs and args.pattern:
        print(f"no codec matches {args.pattern!r}")
    return 0


def run_plugins(args: argparse.Namespace) -> int:
    from ..registry.loading import get_registry
    from .output import print_json, print_table

    plugins = sorted(get_registry().plugins, key=lambda info: (info.distribution, info.name))
    if args.json:
        print_json([dict(dataclasses.asdict(info), status=info.status) for info in plugins])
    else:
        print_table(["plugin", "module", "distribution", "version", "status", "registers / error"],
                    [[info.name, info.module, info.distribution, info.version, info.status,
                      info.error.splitlines()[-1] if info.error else ", ".join(info.registered)]
                     for info in plugins])
    return 1 if any(info.error for info in plugins) else 0  # scripts can tell something is broken


def run_info(args: argparse.Namespace) -> int:
    from ..registry.loading import codec_info
    from ..errors import InvalidNameError
    from ..registry.names import CODEC_OPTION_ALIASES, CORE_CODEC_OPTIONS, parse_name
    from .output import print_json

    spec = codec_info(args.name)  # applies num_codebooks and bandwidth, checks every option's key
    built_only = sorted(set(parse_name(args.name, CODEC_OPTION_ALIASES).options) - set(CORE_CODEC_OPTIONS))
    if built_only:
        raise InvalidNameError(
            f"{args.name!r}: info shows the metadata {spec.name!r} declares, without building it, and option "
            f"{', '.join(built_only)} takes effect only when the codec is built. Drop it here (num_codebooks "
            f"and bandwidth are shown), or build the codec: codecreg.load_codec({args.name!r})")
    data = spec.as_dict()
    if args.json:
        print_json(data)
        return 0
    for key, value in data.items():
        if key == "has_decoder" and value:  # said only of an encode-only tokenizer
            continue
        if value not in ("", (), None):
            print(f"{key:>16}: {', '.join(map(str, value)) if isinstance(value, tuple) else value}")
    return 0


def run_writers(args: argparse.Namespace) -> int:
    from ..registry.loading import list_writers
    from .output import print_json, print_table

    specs = list_writers()
    rows = [spec.as_dict() for spec in specs]
    if args.probe:
        from ..audio.writing.writer_choice import probe_writer

        for row in rows:
            row["probe"] = probe_writer(row["name"])
    if args.json:
        print_json(rows)
        return 0
    print_table(["name", "plugin (distribution)", "formats", "status"] + (["here"] if args.probe else []),
                [[row["name"], f"{row['plugin']} ({row['distribution']})", ",".join(row["formats"]), row["status"]]
                 + ([row["probe"]] if args.probe else []) for row in rows])
    return 0
