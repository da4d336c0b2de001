"""A corpus study's cost: codec time against metric time, 2 workers against one process, peak RSS against inputs.

    .venv/bin/python benchmarks/bench_compare.py [--inputs 100] [--seconds 10] [--metrics all]
        [--rss-inputs 100,400] [--rss-metrics si_sdr,mel_distance] [--codecs debug,debug?channels=2]

Inputs are ``--seconds`` clips of espeak-ng speech (sentences in turn, padded
with the next until long enough; a synthetic clip without espeak-ng), written
once to a temporary folder. The study is ``--codecs`` at 2 and 4 codebooks
with ``--metrics`` (``all``: every installed metric), run in one process
(``--workers 1``) and on 2 local workers, each in its own fresh output folder.
Codec time is the sum of ``encode_s + decode_s`` over ``per_input``, metric
time the sum of ``metrics_s`` (alignment and every metric of one setting),
both in process seconds; wall time is the whole ``compare`` call, start-up
included. Peak RSS: each ``--rss-inputs`` count runs the CLI (one process) as
a child and reads ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after it
ends, in a fresh Python so earlier children do not count.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
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


def timed_study(codecs, folder, metrics, workers, out):
    started = time.perf_counter()
    table = codecreg.compare(codecs, [folder], num_codebooks=[2, 4], metrics=metrics, out=out, workers=workers,
                             show_progress=False)
    wall = time.perf_counter() - started
    codec = sum(r["encode_s"] + r["decode_s"] for r in table.per_input)
    metric = sum(r["metrics_s"] for r in table.per_input)
    return table, wall, codec, metric


def peak_rss(codecs: list[str], folder: Path, metrics: list[str] | None, out: Path) -> float:
    """GiB: the peak RSS of a child running the study (measured from a fresh Python that starts it)."""
    command = [sys.executable, "-m", "codecreg.cli.main", "compare", str(folder), "--codecs", ",".join(codecs),
               "--num-codebooks", "2,4", "--out", str(out), "--workers", "1"]
    if metrics:
        command += ["--metrics", ",".join(metrics)]
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True)
    return int(result.stdout.split()[-1]) / 2 ** 20  # KiB -> GiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--codecs", default="debug,debug?channels=2")
    parser.add_argument("--metrics", default="all", help="comma-separated, or 'all' (every installed metric)")
    parser.add_argument("--rss-inputs", default="100,400")
    parser.add_argument("--rss-metrics", default="si_sdr,mel_distance",
                        help="metrics of the RSS runs ('all' for every installed one)")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    from codecreg.study.setting_names import split_codec_names

    codecs = split_codec_names(args.codecs)
    metrics = None if args.metrics == "all" else args.metrics.split(",")
    rss_metrics = None if args.rss_metrics == "all" else args.rss_metrics.split(",")
    counts = [int(n) for n in args.rss_inputs.split(",") if n]
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as scratch:
        scratch = Path(scratch)
        largest = max([args.inputs, *counts])
        source = make_clips(scratch / "all", largest, args.seconds)
        print(f"{largest} x {args.seconds:g} s clips of {source}; codecs {codecs} at 2 and 4 codebooks")

        def subset(count: int) -> Path:
            folder = scratch / f"in-{count}"
            folder.mkdir(exist_ok=True)
            for path in sorted((scratch / "all").glob("*.wav"))[:count]:
                os.link(path, folder / path.name)
            return folder

        if not args.skip_throughput:
            folder = subset(args.inputs)
            rows = []
            for workers in (1, 2):
                table, wall, codec, metric = timed_study(codecs, folder, metrics, workers, scratch / f"w{workers}")
                rows.append((workers, wall, codec, metric))
                print(f"workers {workers}: wall {wall:.1f} s; codec {codec:.1f} s; metrics {metric:.1f} s "
                      f"(metric / codec {metric / codec:.2f}); {len(table.per_input)} setting x input rows; "
                      f"metrics: {', '.join(m.name for m in table.metrics)}")
            print(f"throughput, 2 workers against one process: {rows[0][1] / rows[1][1]:.2f}x")
            print(f"load average after the throughput runs: {os.getloadavg()}")
        for count in counts:
            gib = peak_rss(codecs, subset(count), rss_metrics, scratch / f"rss-{count}")
            print(f"peak RSS, {count} inputs, one process, metrics {args.rss_metrics}: {gib:.2f} GiB")
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
