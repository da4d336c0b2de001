"""Throughput and peak memory of ``codecreg tokenize`` against a plain loop, in one run on the same files.

    .venv/bin/python benchmarks/bench_tokenize.py [--files 100] [--seconds 10] [--workers 1,2]
                                                  [--memory-files 100,1000] [--no-ray]

Weights: seeded random ``encodec_32khz`` at the real size (tests/support/hf_models.py), saved once
into an offline Hub cache under /tmp (``HF_HUB_OFFLINE=1``); both sides load that same file.
Files: synthetic 32 kHz mono wav. Cases, each a fresh child process timed from start to exit
(imports, model load and start-up included, so the ratios are what a user waits for):

- ``plain loop``: transformers ``EncodecModel.encode`` one file at a time, 2 torch threads;
- ``local N``: ``codecreg tokenize --workers N`` (2 torch threads shared by the workers);
- ``ray N``: ``--engine ray --workers N``, a local Ray instance; Ray's start-up (until the codec is
  loaded) is reported apart, and the ratio is taken on the time after it;
- memory: peak RSS of the whole local job (its largest process, workers included) for the
  ``--memory-files`` counts of 1 s files, as the OS counts it (``getrusage(RUSAGE_CHILDREN)`` in a
  light parent that only waits for the job).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "codecreg-bench-tokenize"
REPO_ID = "facebook/encodec_32khz"

PLAIN_LOOP = r"""
import sys, pathlib, soundfile, torch
from transformers import EncodecModel
torch.set_num_threads(2)
model = EncodecModel.from_pretrained("%s").eval()
with torch.no_grad():
    for path in sorted(pathlib.Path(sys.argv[1]).glob("*.wav")):
        audio, rate = soundfile.read(path, dtype="float32", always_2d=True)
        model.encode(torch.from_numpy(audio.T.copy())[None], bandwidth=2.2)
""" % REPO_ID

# a light parent: waits for the job, then reports the largest descendant's peak RSS
MEASURED = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"wall": time.perf_counter() - start, "rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "status": result.returncode, "stdout": result.stdout, "stderr": result.stderr[-3000:]}))
"""


def environment() -> dict:
    return dict(os.environ, HF_HOME=str(CACHE), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                OMP_NUM_THREADS="2", PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"),
                                                                            *sys.path])))


def build_weights() -> None:
    """The seeded weights in the offline cache, built once in a child process."""
    snapshots = CACHE / "hub" / ("models--" + REPO_ID.replace("/", "--")) / "snapshots"
    if not sorted(snapshots.glob("*/model.safetensors")):
        build = ("import sys; sys.path.insert(0, %r)\n"
                 "from support.hf_models import build_encodec, cache_model\n"
                 "cache_model(build_encodec('encodec_32khz'), %r)" % (str(ROOT / "tests"), REPO_ID))
        subprocess.run([sys.executable, "-c", build], env=environment(), check=True)


def make_files(folder: Path, count: int, seconds: float) -> float:
    import numpy as np
    import soundfile

    from codecreg.audio.synthetic import synthetic_audio

    folder.mkdir(parents=True)
    for index in range(count):
        audio = synthetic_audio(1, int(32000 * seconds), 32000, seed=index)[0]
        soundfile.write(folder / f"clip{index:05d}.wav", np.ascontiguousarray(audio.T), 32000, subtype="PCM_16")
    return count * seconds


def measure(command: list[str], **extra_environment: str) -> dict:
    result = subprocess.run([sys.executable, "-c", MEASURED, *command], env=dict(environment(), **extra_environment),
                            capture_output=True, text=True, check=True)
    measured = json.loads(result.stdout)
    if measured["status"] != 0:
        raise SystemExit(f"{' '.join(command)} failed ({measured['status']}):\n{measured['stderr']}")
    return measured


def tokenize(files: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "codecreg.cli.main", "tokenize", str(files), "--codec", "encodec_32khz",
            "--out", str(out), "--threads", "2", *options]


def startup_of(measured: dict) -> float:
    return float(re.search(r"start-up ([0-9.]+) s", measured["stdout"]).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", default="1,2", help="local pool sizes to time")
    parser.add_argument("--memory-files", default="100,1000", help="file counts (1 s each) for the peak RSS")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()

    build_weights()
    with tempfile.TemporaryDirectory(prefix="bench-tokenize-") as scratch:
        scratch = Path(scratch)
        audio_seconds = make_files(scratch / "audio", args.files, args.seconds)
        print(f"{args.files} files x {args.seconds:g} s (32 kHz mono), seeded encodec_32khz, "
              f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}")
        print(f"{'case':<22}{'wall s':>9}{'start-up s':>12}{'audio s/s':>11}{'peak RSS MiB':>14}")
        rows = {}

        def show(name: str, measured: dict, startup: float | None = None) -> None:
            rows[name] = measured
            print(f"{name:<22}{measured['wall']:>9.2f}{'' if startup is None else f'{startup:.2f}':>12}"
                  f"{audio_seconds / measured['wall']:>11.1f}{measured['rss_kib'] / 1024:>14.0f}")

        show("plain loop", measure([sys.executable, "-c", PLAIN_LOOP, str(scratch / "audio")]))
        for workers in map(int, args.workers.split(",")):
            measured = measure(tokenize(scratch / "audio", scratch / f"local{workers}", "--workers", str(workers)))
            show(f"local {workers}", measured, startup_of(measured))
        best = min((name for name in rows if name.startswith("local")), key=lambda name: rows[name]["wall"])
        print(f"\nlocal (best: {best}) vs plain loop: {rows['plain loop']['wall'] / rows[best]['wall']:.2f}x "
              "(target >= 1.5x)")
        if "local 1" in rows and "local 2" in rows:
            print(f"local 2 vs local 1: {rows['local 1']['wall'] / rows['local 2']['wall']:.2f}x")
        if not args.no_ray:
            workers = int(best.split()[1])
            ray_dir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
            measured = measure(tokenize(scratch / "audio", scratch / "ray", "--engine", "ray", "--workers",
                                        str(workers)), RAY_TMPDIR=ray_dir)  # short socket paths, removed after
            shutil.rmtree(ray_dir, ignore_errors=True)
            show(f"ray {workers}", measured, startup_of(measured))
            ray_work = measured["wall"] - startup_of(measured)
            local_work = rows[best]["wall"] - startup_of(rows[best])
            print(f"ray vs local after start-up: {local_work / ray_work:.2f}x (target: within 15%, i.e. >= 0.87x)")
        print()
        for count in map(int, args.memory_files.split(",")):
            folder = scratch / f"memory{count}"
            make_files(folder, count, 1.0)
            measured = measure(tokenize(folder, scratch / f"memory-out{count}", "--workers", "2"))
            print(f"peak RSS, {count} files x 1 s, local 2: {measured['rss_kib'] / 1024:.0f} MiB "
                  f"({measured['wall']:.1f} s)")


if __name__ == "__main__":
    main()
