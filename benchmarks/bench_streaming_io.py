"""Read a long file, resample it and write it peak-normalized: whole (audio_read + audio_write) against
streamed (read_blocks + audio_write_stream), each in its own child process, in the same run.

Peak RSS is the OS's figure for the child (``resource.getrusage(RUSAGE_CHILDREN)`` read by a wrapper
process that runs only that child); the time is the child's wall clock, imports included. The methods
alternate ``--repeats`` times and the medians are compared; the two outputs must be byte-identical.

    .venv/bin/python benchmarks/bench_streaming_io.py [--minutes 10] [--repeats 3] [--format wav]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import soundfile

SOURCE_RATE, TARGET_RATE = 32000, 24000
METHODS = {
    "whole": textwrap.dedent("""
        import sys, codecreg
        wav, rate = codecreg.audio_read(sys.argv[1], sample_rate=24000, channels=1)
        codecreg.audio_write(sys.argv[2], wav, rate, strategy="peak", backend="soundfile")
    """),
    "streamed": textwrap.dedent("""
        import sys, codecreg
        with codecreg.audio_write_stream(sys.argv[2], 24000, 1, strategy="peak", backend="soundfile") as out:
            for block in codecreg.read_blocks(sys.argv[1], 24000, 1, block_seconds=10.0):
                out.write(block)
    """),
}
MEASURE = textwrap.dedent("""
    import resource, subprocess, sys, time
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", *sys.argv[1:]], capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if result.returncode:
        sys.exit(result.stderr)
    print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""")


def make_source(path: Path, minutes: int, format: str) -> None:
    """``minutes`` of 32 kHz mono, a tone and noise per minute, written a minute at a time."""
    rng = np.random.default_rng(0)
    t = np.arange(60 * SOURCE_RATE) / SOURCE_RATE
    subtype = {"wav": "PCM_16", "flac": "PCM_16", "mp3": "MPEG_LAYER_III"}[format]
    with soundfile.SoundFile(path, "w", SOURCE_RATE, 1, subtype=subtype, format=format.upper()) as output:
        for minute in range(minutes):
            block = 0.3 * np.sin(2 * np.pi * (200 + 50 * minute) * t) + 0.05 * rng.standard_normal(t.size)
            output.write(block.astype(np.float32))


def run(method: str, source: Path, stem: Path) -> tuple[float, float]:
    result = subprocess.run([sys.executable, "-c", MEASURE, METHODS[method], str(source), str(stem)],
                            capture_output=True, text=True, check=True)
    seconds, rss_kib = result.stdout.split()
    return float(seconds), int(rss_kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--format", choices=("wav", "flac", "mp3"), default="wav")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"source.{args.format}"
        make_source(source, args.minutes, args.format)
        results = {method: [] for method in METHODS}
        for _ in range(args.repeats):
            for method in METHODS:
                results[method].append(run(method, source, Path(folder) / method))
        identical = (Path(folder) / "whole.wav").read_bytes() == (Path(folder) / "streamed.wav").read_bytes()
    print(f"{args.minutes} min of {SOURCE_RATE} Hz mono {args.format} -> {TARGET_RATE} Hz 16-bit wav, peak "
          f"normalized; median of {args.repeats}; {platform.machine()} {platform.system()}, Python "
          f"{platform.python_version()}; outputs byte-identical: {identical}")
    print("| method | wall s | peak RSS MiB | time x whole | RSS x whole |")
    print("|---|---|---|---|---|")
    reference = {key: statistics.median(r[i] for r in results["whole"]) for i, key in enumerate(("s", "rss"))}
    for method, rows in results.items():
        seconds, rss = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
        print(f"| {method} | {seconds:.2f} | {rss:.0f} | {seconds / reference['s']:.2f} | "
              f"{rss / reference['rss']:.2f} |")


if __name__ == "__main__":
    main()
