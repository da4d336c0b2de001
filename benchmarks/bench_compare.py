"""A corpus study's cost: codec time against metric time, 2 workers against one process, peak RSS against inputs.

    .venv/bin/python benchmarks/bench_compare.py [--inputs 100] [--seconds 10] [--metrics all]
        [--codecs encodec_24khz,encodec_32khz] [--size real]
        [--rss-inputs 100,400] [--rss-codecs debug,debug?channels=2] [--rss-metrics si_sdr,mel_distance]

Inputs are ``--seconds`` clips of espeak-ng speech (sentences in turn, padded
with the next until long enough; a synthetic clip without espeak-ng), written
once to a temporary folder. The codecs load their seeded test weights at
``--size`` (``codecreg.testing.installed``: the published architecture at "real").
The study is ``--codecs`` at 2 and 4 codebooks with ``--metrics`` (``all``: every
installed metric), run by the CLI in one process (``--workers 1``) and on 2 local
workers, each in its own fresh output folder. Codec time is the sum of
``encode_s + decode_s`` over ``per_input``, metric time the sum of ``metrics_s``
(alignment and every metric of one setting), both in process seconds; wall time is
the whole command, start-up included. A last one-process run on ``--default-inputs``
inputs with the default metrics (all but ViSQOL and DNSMOS) gives their cost against the codecs'. Peak RSS is the largest process's
(``getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a fresh Python that starts the CLI);
the ``--rss-inputs`` runs use cheap codecs and metrics, so that 400 inputs take minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import codecreg

SENTENCES = [
    "Codecs should keep every word of this sentence clear, and the quiet pauses between them quiet.",
    "The quick brown fox jumps over the lazy dog while the radio plays in the kitchen.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "A rainbow is a division of white light into many beautiful colours.",
    "She sells sea shells by the sea shore, and the shells she sells are surely sea shells.",
]


def make_clips(folder: Path, count: int, seconds: float) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    rate = 16000
    if shutil.which("espeak-ng") is None:
        from codecreg.testing import synthetic_audio

        for index in range(count):
            codecreg.audio_write(folder / f"clip{index:04d}", synthetic_audio(1, int(seconds * rate), rate,
                                                                              seed=index)[0].numpy(), rate,
                                 strategy="none")
        return "synthetic_audio"
    voices = []
    with tempfile.TemporaryDirectory() as scratch:
        for number, sentence in enumerate(SENTENCES):
            for speed in (150, 175, 200):
                path = Path(scratch) / f"s{number}-{speed}.wav"
                subprocess.run(["espeak-ng", "-s", str(speed), "-w", str(path), sentence], check=True)
                wav, source_rate = codecreg.audio_read(path)
                voices.append(codecreg.convert_audio(np.asarray(wav, np.float32), source_rate, rate, 1))
    length = int(seconds * rate)
    for index in range(count):
        parts, total, turn = [], 0, index
        while total < length:
            parts.append(voices[turn % len(voices)])
            total += parts[-1].shape[-1]
            turn += 7
        clip = np.concatenate(parts, axis=-1)[:, :length]
        codecreg.audio_write(folder / f"clip{index:04d}", clip, rate, strategy="none")
    return "espeak-ng speech"


def run_study(codecs: list[str], folder: Path, metrics: list[str] | None, workers: int, out: Path):
    """``codecreg compare`` as a child of a fresh Python, timed: ``(table, wall s, peak RSS GiB)``;
    ``metrics`` None: the default ones.

    The peak is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by that Python after the study ends:
    the largest single process among the CLI and its workers (not their sum)."""
    command = [sys.executable, "-m", "codecreg.cli.main", "compare", str(folder), "--codecs", ",".join(codecs),
               "--num-codebooks", "2,4", "--out", str(out), "--workers", str(workers)]
    if metrics:
        command += ["--metrics", ",".join(metrics)]
    probe = ("import resource, subprocess, sys, time; start = time.perf_counter();"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
             "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True)
    wall, kib = result.stdout.split()[-2:]
    return codecreg.ComparisonTable.load(out), float(wall), int(kib) / 2 ** 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--codecs", default="encodec_24khz,encodec_32khz")
    parser.add_argument("--size", default="real", choices=["small", "real"],
                        help="size of the codecs' seeded test weights (codecreg.testing)")
    parser.add_argument("--metrics", default="all",
                        help="metrics of the throughput runs: comma-separated, or 'all' (every installed metric)")
    parser.add_argument("--default-inputs", type=int, default=25,
                        help="inputs of a one-process run with the default metrics, for their cost against the "
                             "codecs' (0: none)")
    parser.add_argument("--rss-inputs", default="100,400")
    parser.add_argument("--rss-codecs", default="debug,debug?channels=2",
                        help="codecs of the RSS runs: cheap ones, so that 400 inputs take minutes")
    parser.add_argument("--rss-metrics", default="si_sdr,mel_distance",
                        help="metrics of the RSS runs ('all' for every installed one)")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    from codecreg.study.setting_names import split_codec_names
    from codecreg.registry.names import parse_name
    from codecreg.testing import installed

    codecs = split_codec_names(args.codecs)
    rss_codecs = split_codec_names(args.rss_codecs)
    metrics = args.metrics.split(",")
    rss_metrics = args.rss_metrics.split(",")
    counts = [int(n) for n in args.rss_inputs.split(",") if n]
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} CPUs")
    os.environ["CODECREG_OFFLINE"] = os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as scratch, contextlib.ExitStack() as weights:
        scratch = Path(scratch)
        for name in dict.fromkeys(parse_name(codec).target for codec in codecs + rss_codecs):
            weights.enter_context(installed(name, args.size))  # seeded weights where each name loads them
        largest = max([0 if args.skip_throughput else args.inputs, args.default_inputs, *counts])  # clips used
        source = make_clips(scratch / "all", largest, args.seconds)
        print(f"{largest} x {args.seconds:g} s clips of {source}")

        def subset(count: int) -> Path:
            folder = scratch / f"in-{count}"
            if folder.is_dir():
                return folder
            folder.mkdir()
            for path in sorted((scratch / "all").glob("*.wav"))[:count]:
                os.link(path, folder / path.name)
            return folder

        if not args.skip_throughput:
            folder = subset(args.inputs)
            print(f"study: {args.inputs} inputs x {codecs} ({args.size} size) at 2 and 4 codebooks")
            rows = []
            for workers in (1, 2):
                table, wall, gib = run_study(codecs, folder, metrics, workers, scratch / f"w{workers}")
                codec = sum(r["encode_s"] + r["decode_s"] for r in table.per_input)
                metric = sum(r["metrics_s"] for r in table.per_input)
                rows.append(wall)
                print(f"workers {workers}: wall {wall:.1f} s; codec {codec:.1f} s; metrics {metric:.1f} s "
                      f"(metric / codec {metric / codec:.2f}); peak RSS {gib:.2f} GiB (largest process); "
                      f"{len(table.per_input)} setting x input rows; "
                      f"metrics: {', '.join(m.name for m in table.metrics)}")
            print(f"throughput, 2 workers against one process: {rows[0] / rows[1]:.2f}x")
            print(f"load average after the throughput runs: {os.getloadavg()}")
        if args.default_inputs:
            table, wall, gib = run_study(codecs, subset(args.default_inputs), None, 1, scratch / "defaults")
            codec = sum(r["encode_s"] + r["decode_s"] for r in table.per_input)
            metric = sum(r["metrics_s"] for r in table.per_input)
            print(f"default metrics ({', '.join(m.name for m in table.metrics)}), {args.default_inputs} inputs, "
                  f"one process: wall {wall:.1f} s; codec {codec:.1f} s; metrics {metric:.1f} s "
                  f"(metric / codec {metric / codec:.2f}); peak RSS {gib:.2f} GiB")
        for count in counts:
            _, wall, gib = run_study(rss_codecs, subset(count), rss_metrics, 1, scratch / f"rss-{count}")
            print(f"peak RSS, {count} inputs x {rss_codecs}, one process, metrics {args.rss_metrics}: "
                  f"{gib:.2f} GiB ({wall:.0f} s)")
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
