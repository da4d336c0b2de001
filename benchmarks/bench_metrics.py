"""Cost of every installed metric on 10 s of audio, as the study computes it (conversion included).

    .venv/bin/python benchmarks/bench_metrics.py [--seconds 10] [--runs 3] [--rate 44100]

The audio is espeak-ng speech repeated to the length (a synthetic clip without
espeak-ng), at ``--rate``, mono, against a copy with white noise at 20 dB SNR.
Each metric is built once (its build time, which loads ViSQOL's and DNSMOS'
models, is printed apart), scored once untimed, then timed ``--runs`` times:
``codecreg.study.scoring.score``, i.e. ``convert_audio`` to the metric's rate
and channels plus the library's own call. The median is printed with the value.
"""

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import codecreg
from codecreg.study.scoring import load_metrics, score


def speech(seconds: float, rate: int) -> tuple[np.ndarray, str]:
    if shutil.which("espeak-ng") is None:
        from codecreg.testing import synthetic_audio

        return synthetic_audio(1, int(seconds * rate), rate, seed=1)[0].numpy(), "synthetic_audio"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(["espeak-ng", "-w", str(path), "Codecs should keep every word of this sentence clear, "
                        "and the quiet pauses between them quiet."], check=True)
        wav, source_rate = codecreg.audio_read(path)
    wav = codecreg.convert_audio(np.asarray(wav, dtype=np.float32), source_rate, rate, 1)
    repeats = int(np.ceil(seconds * rate / wav.shape[-1]))
    return np.tile(wav, repeats)[:, : int(seconds * rate)], "espeak-ng speech"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=int, default=44100)
    args = parser.parse_args()
    reference, source = speech(args.seconds, args.rate)
    noise = np.random.default_rng(0).standard_normal(reference.shape).astype(np.float32)
    estimate = reference + noise * np.float32(np.sqrt((reference ** 2).mean() / (noise ** 2).mean() / 100))
    print(f"{args.seconds:g} s of {source} at {args.rate} Hz, mono, against +20 dB SNR noise; "
          f"median of {args.runs} runs after one untimed")
    print(f"| metric | library | scores at | build s | s per {args.seconds:g} s | value |")
    print("|---|---|---|---|---|---|")
    names = [s.name for s in codecreg.get_registry().metrics.values() if not s.missing_requirements()]
    for name in names:
        start = time.perf_counter()
        metric = load_metrics([name])[0]
        build = time.perf_counter() - start
        reference_or_none = reference if metric.info.needs_reference else None
        value = score(metric, reference_or_none, estimate, args.rate)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            score(metric, reference_or_none, estimate, args.rate)
            times.append(time.perf_counter() - start)
        rate = metric.spec.scoring_rate(args.rate)
        library = metric.spec.requires[0] if metric.spec.requires else ""
        print(f"| {name} | {library} | {rate} Hz {metric.info.channel_mode} | {build:.3f} | "
              f"{statistics.median(times):.3f} | {value:.4g} |")


if __name__ == "__main__":
    main()
