"""``codecreg tokenize``: many audio inputs -> Parquet shards of codes, resumable (docs/tokenize.md).

Exit status 0 when every input was tokenized, 1 when any is in the errors
table, 2 when the job was refused before any work (bad inputs, another codec
or other inputs in the folder).
"""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tokenize", help="tokenize a dataset of audio into Parquet shards (resumable)")
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="audio files, folders (recursive), quoted globs, JSONL/CSV manifests "
                             "(path, id, start, end) or Parquet files with a datasets Audio column")
    parser.add_argument("--codec", required=True, help="codec name, options allowed (e.g. 'encodec_32khz')")
    parser.add_argument("-o", "--out", required=True, help="folder for the shards; rerun the command to resume")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local: a pool of worker processes (default); ray: Ray actors, on this machine or a cluster")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes or Ray actors, each loading the codec once (default: CPUs, at most 4)")
    parser.add_argument("--shard-size", type=int, default=1000, help="inputs per shard (default: 1000)")
    parser.add_argument("--ray-address", default=None,
                        help="a running Ray cluster ('auto', 'ray://host:10001'); default: start a local one")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads shared by all workers (default: the CPU count)")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu); cuda gives each Ray actor a GPU")
    parser.add_argument("--resampler", choices=("soxr", "julius"), default=None,
                        help="how audio at another rate is resampled: soxr (default) or julius (audiocraft's "
                             "numbers); the same as the codec option ?resampler=")
    parser.set_defaults(run=run_tokenize)


def run_tokenize(args: argparse.Namespace) -> int:
    from ..dataset.job import tokenize_dataset
    from ..progress import report

    summary = tokenize_dataset(args.inputs, args.codec, args.out, engine=args.engine, workers=args.workers,
                               shard_size=args.shard_size, device=args.device, ray_address=args.ray_address,
                               threads=args.threads, resampler=args.resampler)
    for path in summary.skipped:
        report(f"skipped {path} (not an audio file name)")
    for line in summary.lines():
        print(line)
    return 1 if summary.failures else 0
