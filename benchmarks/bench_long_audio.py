"""Long audio in bounded memory: peak RSS of ``codecreg encode`` and ``codecreg decode`` of long
files, and the throughput of chunked encoding against one pass, in one run.

Memory: each command runs in a fresh child of a light wrapper process that reports the OS's
peak RSS of its child (``getrusage(RUSAGE_CHILDREN).ru_maxrss``; Linux carries a parent's peak
into its children, so the wrapper imports nothing heavy). ``python -c "import torch"`` is the
floor, measured the same way. Inputs are 32 kHz (44.1 kHz for DAC) mono WAV files of
synthetic audio, written block by block. Weights are seeded random at the published sizes,
in an offline Hub cache (EnCodec) and codecreg's cache (DAC) under /tmp.

Throughput: ``codec.encode`` of a clip with the default ``chunk_seconds`` against
``chunk_seconds=0`` (one pass), interleaved, 2 threads; the ratio is one pass's time over
chunked time (above 1: chunked is faster), and the codes are checked equal.

    .venv/bin/python benchmarks/bench_long_audio.py [--minutes 10,120] [--codec encodec_32khz]
        [--dac-minutes 10] [--clip 60] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.gettempdir()) / "codecreg-bench-long-audio"
GIB = 2 ** 30

_WRAPPER = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
if done.returncode != 0:
    sys.exit("failed: " + " ".join(sys.argv[1:]) + "\n" + done.stdout + done.stderr)
print(json.dumps({"peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "seconds": time.perf_counter() - start}))
"""


def environment() -> dict[str, str]:
    return dict(os.environ, HF_HOME=str(WORK / "hf"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                CODECREG_CACHE=str(WORK / "codecreg"), OMP_NUM_THREADS="2", PYTHONPATH=os.pathsep.join(
                    [str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))


def build_weights() -> None:
    """Seeded real-size weights, built once, in a child (a grown parent would pass its peak on)."""
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from support.hf_models import build_encodec, cache_model\n"
        "from support.dac_models import build_dac, put_in_dac_cache, save_dac\n"
        "hub = Path(os.environ['HF_HOME']) / 'hub' / 'models--facebook--encodec_32khz'\n"
        "if not hub.exists():\n"
        "    cache_model(build_encodec('encodec_32khz'), 'facebook/encodec_32khz')\n"
        "if not (Path(os.environ['CODECREG_CACHE']) / 'dac44.pth').exists():\n"
        "    Path(os.environ['CODECREG_CACHE']).mkdir(parents=True, exist_ok=True)\n"
        "    put_in_dac_cache(save_dac(build_dac('dac_44khz'), Path(os.environ['CODECREG_CACHE']) / 'dac44.pth'),\n"
        "                     'dac_44khz')\n"
    )
    subprocess.run([sys.executable, "-c", script], env=environment(), check=True)


def long_wav(minutes: float, sample_rate: int) -> Path:
    """A mono WAV of synthetic audio, written 10 s at a time (the parent stays light)."""
    path = WORK / f"long_{minutes:g}min_{sample_rate}.wav"
    if not path.exists():
        script = (
            "import sys, soundfile\n"
            "from codecreg.audio.synthetic import synthetic_audio\n"
            "minutes, rate, path = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]\n"
            "with soundfile.SoundFile(path + '.part', 'w', rate, 1, 'PCM_16', format='WAV') as out:\n"
            "    for block in range(int(minutes * 6)):\n"
            "        out.write(synthetic_audio(1, 10 * rate, rate, seed=block)[0, 0] * 0.5)\n"
        )
        subprocess.run([sys.executable, "-c", script, str(minutes), str(sample_rate), str(path)], check=True)
        os.replace(str(path) + ".part", path)
    return path


def measured(command: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *command], env=environment(),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "codecreg.cli.main", *args]


def memory_rows(codec: str, minutes: list[float], sample_rate: int) -> list[dict]:
    rows = []
    for length in minutes:
        wav = long_wav(length, sample_rate)
        out = WORK / f"out_{codec}_{length:g}"
        encoded = measured(cli("encode", str(wav), "--codec", codec, "--out", str(out / "tokens"), "--overwrite"))
        decoded = measured(cli("decode", str(out / "tokens"), "--out", str(out / "audio"), "--overwrite"))
        for step, result in (("encode", encoded), ("decode", decoded)):
            rows.append({"codec": codec, "minutes": length, "step": step, "peak_gib": result["peak_kib"] / 2 ** 20,
                         "seconds": result["seconds"]})
            print(json.dumps(rows[-1]), flush=True)
    return rows


_THROUGHPUT = r"""
import json, statistics, sys, time, torch
import codecreg
from codecreg.testing import synthetic_audio
torch.set_num_threads(2)
name, seconds, repeats = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
codec = codecreg.load_codec(name)
default = codec.chunk_seconds
audio = synthetic_audio(1, int(seconds * codec.sample_rate), codec.sample_rate)
times = {"one pass": [], "chunked": []}
codes = {}
for _ in range(repeats):
    for case, chunk in (("one pass", 0), ("chunked", default)):
        codec.set_chunk_seconds(chunk)
        start = time.perf_counter()
        codes[case] = codec.encode(audio)[0]
        times[case].append(time.perf_counter() - start)
print(json.dumps({"chunk_seconds": default, "equal": bool(torch.equal(codes["one pass"], codes["chunked"])),
                  **{case: statistics.median(t) for case, t in times.items()}}))
"""


def throughput(codec: str, seconds: float, repeats: int) -> dict:
    done = subprocess.run([sys.executable, "-c", _THROUGHPUT, codec, str(seconds), str(repeats)],
                          env=environment(), capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", default="10,120", help="lengths of the EnCodec files, comma-separated")
    parser.add_argument("--codec", default="encodec_32khz")
    parser.add_argument("--dac-minutes", default="10", help="lengths for dac_44khz ('' to skip)")
    parser.add_argument("--clip", type=float, default=60.0, help="seconds of the throughput clip")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    build_weights()

    floor = measured([sys.executable, "-c", "import torch"])["peak_kib"] / 2 ** 20
    print(f"import torch alone: {floor:.2f} GiB peak RSS", flush=True)
    rows = memory_rows(args.codec, [float(m) for m in args.minutes.split(",")], 32000)
    if args.dac_minutes:
        rows += memory_rows("dac_44khz", [float(m) for m in args.dac_minutes.split(",")], 44100)
    speed = throughput(args.codec, args.clip, args.repeats)

    print("\n| codec | audio | step | peak RSS GiB | x import torch | wall s |\n|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['codec']} | {row['minutes']:g} min | {row['step']} | {row['peak_gib']:.2f} | "
              f"{row['peak_gib'] / floor:.2f} | {row['seconds']:.0f} |")
    print(f"\nimport torch alone: {floor:.2f} GiB")
    print(f"{args.codec} encode of {args.clip:g} s: one pass {speed['one pass']:.2f} s, chunked "
          f"(chunk_seconds={speed['chunk_seconds']:g}) {speed['chunked']:.2f} s; throughput ratio chunked / one "
          f"pass = {speed['one pass'] / speed['chunked']:.2f}; codes equal: {speed['equal']}")


if __name__ == "__main__":
    main()
