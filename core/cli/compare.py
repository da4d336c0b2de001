"""``codecreg compare``: run codecs over audio inputs and write tables, plots and a listening page."""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare codecs on audio inputs: metrics, speed, codebook usage, per category, rate-quality "
                    "curves, listening page; resumable")
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="what tokenize takes: audio files, folders (searched recursively; the first folder "
                             "level is the category), globs, JSONL/CSV manifests (path, id, start, end, category), "
                             "datasets Parquet files")
    parser.add_argument("--codecs", action="append", required=True, metavar="NAME[,NAME...]",
                        help="codec names, comma-separated; options allowed ('debug?num_codebooks=2,dac_44khz'); "
                             "may be repeated")
    parser.add_argument("--num-codebooks", type=_int_list, default=None, metavar="N[,N...]",
                        help="run every codec at each of these numbers of codebooks (default: as named)")
    parser.add_argument("--out", required=True,
                        help="folder for the study (index.html, CSV, Parquet, JSON, plots, audio): new or empty, or "
                             "this same study's folder: the same command again resumes it (a finished one: no work)")
    parser.add_argument("--overwrite", action="store_true",
                        help="start over, replacing a previous study in --out once the new one is complete")
    parser.add_argument("--engine", choices=["local", "ray"], default="local",
                        help="local: worker processes on this machine; ray: Ray actors (default: local)")
    parser.add_argument("--workers", type=int, default=None,
                        help="workers (processes or Ray actors), each loading every codec once "
                             "(default: local 1, in this process; ray: one per CPU, at most 4)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads in all, divided among the workers (default: one per CPU)")
    parser.add_argument("--ray-address", default=None,
                        help="a running Ray cluster ('auto', 'ray://HOST:PORT'); default: a local instance")
    parser.add_argument("--shard-size", type=int, default=None,
                        help="inputs per journaled shard of results (default: 16)")
    parser.add_argument("--listen-per-category", type=int, default=None,
                        help="inputs of each category given players on the listening page (default: 8)")
    parser.add_argument("--metrics", type=_name_list, default=None, metavar="NAME[,NAME...]",
                        help="metrics to compute, or 'all' for every installed one (default: those on by default, "
                             "all but the costly ViSQOL and DNSMOS: docs/studies.md)")
    parser.add_argument("--seed", type=int, default=0, help="torch seed before each encode and decode (default: 0)")
    parser.add_argument("--max-delay-ms", type=float, default=None,
                        help="largest codec delay that alignment looks for (default: 50)")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    parser.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..study.comparison import DEFAULT_MAX_DELAY_MS, compare
    from ..study.setting_names import split_codec_names

    codecs = [name for text in args.codecs for name in split_codec_names(text)]
    table = compare(codecs, args.inputs, args.num_codebooks, out=args.out, overwrite=args.overwrite,
                    metrics=args.metrics, seed=args.seed, device=args.device,
                    max_delay_ms=DEFAULT_MAX_DELAY_MS if args.max_delay_ms is None else args.max_delay_ms,
                    engine=args.engine, workers=args.workers, threads=args.threads, ray_address=args.ray_address,
                    shard_size=args.shard_size, listen_per_category=args.listen_per_category)
    print(table.to_markdown())
    print(f"report: {Path(args.out) / 'index.html'}")
    return 0


def _int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, e.g. 1,2,4; got {text!r}")


def _name_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
