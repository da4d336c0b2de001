"""Time the dac plugin's encode and decode against bare ``dac`` package calls, in the same run.

The model is a real-size DAC (the plugin's seeded test weights at the published
configuration, ``codecreg.testing.checkpoint_folder``, cached in ``$CODECREG_TEST_WEIGHTS``)
in DAC's own format; the plugin loads it by name, the package with its own ``DAC.load``
of the same file. The bare calls are ``model.encode(model.preprocess(x, sr))`` and
``model.decode(model.quantizer.from_codes(codes)[0])`` under ``torch.no_grad()``.
Methods run interleaved, ``--repeats`` times each after a warm-up, and the table
shows medians and the plugin/package ratio; codes must be equal.

``--chunks`` adds the effect of chunked encoding (``chunk_seconds``) on the codes,
``--memory`` the peak memory of one pass against chunks (each in a fresh process).

    .venv/bin/python benchmarks/bench_dac.py [--model dac_44khz] [--seconds 10] [--repeats 5] [--threads 2] [--chunks] [--memory]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import torch

import codecreg
from codecreg.testing import installed, synthetic_audio
from codecreg_dac.variants import PUBLISHED


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def compare_with_package(model_name: str, path: Path, seconds: float, repeats: int) -> None:
    import dac

    codec = codecreg.load_codec(model_name)
    model = dac.DAC.load(str(path)).eval()
    sr = codec.sample_rate
    audio = synthetic_audio(1, int(seconds * sr), sr)

    @torch.no_grad()
    def package_encode(x):
        return model.encode(model.preprocess(x, sr))[1]

    @torch.no_grad()
    def package_decode(codes):
        return model.decode(model.quantizer.from_codes(codes)[0])

    codes, _ = codec.encode(audio)  # warm-up (TorchScript'd Snake specializes on first calls)
    package_codes = package_encode(audio)
    if not torch.equal(codes, package_codes):
        raise SystemExit("codes differ between the plugin and the package: the comparison is void")
    codec.decode(codes, length=audio.shape[-1])
    package_decode(codes)

    pairs = [
        [("plugin encode", lambda: codec.encode(audio)), ("dac encode", lambda: package_encode(audio))],
        [("plugin decode", lambda: codec.decode(codes, length=audio.shape[-1])),
         ("dac decode", lambda: package_decode(codes))],
    ]
    times: dict[str, list[float]] = {key: [] for pair in pairs for key, _ in pair}
    for repeat in range(repeats):
        for pair in pairs:  # who goes first alternates, so drifting machine load hits both alike
            for key, call in (pair if repeat % 2 == 0 else pair[::-1]):
                times[key].append(timed(call)[0])

    print(f"\n{model_name}, {seconds:g} s mono, median of {repeats} (codes equal: yes)")
    print(f"{'step':<8} {'plugin s':>9} {'dac s':>9} {'ratio':>7} {'paired ratio':>13}")
    for step in ("encode", "decode"):
        ours, theirs = times[f"plugin {step}"], times[f"dac {step}"]
        paired = statistics.median(a / b for a, b in zip(ours, theirs))  # back-to-back runs see alike load
        print(f"{step:<8} {statistics.median(ours):>9.2f} {statistics.median(theirs):>9.2f} "
              f"{statistics.median(ours) / statistics.median(theirs):>7.3f} {paired:>13.3f}")


def chunk_effect(path: Path, seconds: float, chunk_seconds: float) -> None:
    """Codes of chunked encoding against one pass: with the plugin's context, and cut without any."""
    whole = codecreg.load_codec(f"{path}?chunk_seconds=0")
    chunked = codecreg.load_codec(f"{path}?chunk_seconds={chunk_seconds:g}")
    sr, hop = whole.sample_rate, whole.hop
    audio = synthetic_audio(1, int(seconds * sr), sr)
    t_whole, (expected, _) = timed(whole.encode, audio)
    t_chunked, (codes, _) = timed(chunked.encode, audio)
    step = round(chunk_seconds * chunked.frame_rate)  # frames per chunk, as core's chunker counts them
    pieces = torch.cat([whole.encode(audio[..., start * hop:(start + step) * hop])[0]
                        for start in range(0, expected.shape[-1], step)], dim=-1)
    cut_frames = (pieces != expected).any(dim=1)[0].nonzero().flatten().tolist()
    edges = list(range(step, expected.shape[-1], step))
    offsets = [min((frame - edge for edge in edges), key=abs) for frame in cut_frames]  # < 0: before the edge
    print(f"\nchunked encoding, {seconds:g} s in chunks of {chunk_seconds:g} s ({step} frames, {len(edges)} edges)")
    print(f"{'method':<28} {'codes differing':>16} {'frames differing':>17} {'time ratio':>11}")
    print(f"{'plugin chunks (context ' + str(chunked.encoder_context) + ' fr)':<28} "
          f"{int((codes != expected).sum()):>16} {int((codes != expected).any(dim=1).sum()):>17} "
          f"{t_chunked / t_whole:>11.3f}")
    print(f"{'cut without context':<28} {int((pieces != expected).sum()):>16} {len(cut_frames):>17} {'':>11}")
    if offsets:
        print(f"(cut without context: differing frames lie from {-min(offsets)} frames before to "
              f"{max(offsets) + 1} frames after an edge; {expected.shape[-1]} frames in all)")


def peak_memory(path: Path) -> None:
    print("\npeak memory of encode + decode above the loaded model (fresh process each)")
    print(f"{'audio s':<8} {'chunk_seconds':<14} {'peak MiB':>9}")
    for seconds, chunk in ((30, "0"), (30, "5"), (30, "20"), (60, "20")):
        out = subprocess.run([sys.executable, __file__, "--child-peak", str(path), str(seconds), chunk],
                             capture_output=True, text=True, check=True).stdout
        print(f"{seconds:<8} {chunk:<14} {out.strip().splitlines()[-1]:>9}")


def child_peak(path: str, seconds: float, chunk: str) -> None:
    """Peak memory of encode + decode above what the loaded model holds (Linux: resets the peak first)."""
    codec = codecreg.load_codec(f"{path}?chunk_seconds={chunk}")
    audio = synthetic_audio(1, int(seconds * codec.sample_rate), codec.sample_rate)
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS, forgetting the load's transient peak
    before = _status_kib("VmRSS")
    codec.decode(codec.encode(audio)[0], length=audio.shape[-1])
    print(f"{(_status_kib('VmHWM') - before) / 1024:.0f}")


def _status_kib(field: str) -> int:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="dac_44khz", choices=["dac_44khz", "dac_24khz", "dac_16khz"])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=5, help="0 skips the comparison with the package")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunks", action="store_true", help="also measure chunked encoding's codes")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory, one pass vs chunks")
    parser.add_argument("--child-peak", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*weight_norm.*")
    torch.set_num_threads(args.threads)
    if args.child_peak:
        child_peak(args.child_peak[0], float(args.child_peak[1]), args.child_peak[2])
        return

    print(f"{platform.node()} {platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {time.strftime('%Y-%m-%d')}")
    os.environ["CODECREG_OFFLINE"] = "1"
    with installed(args.model, "real") as folder:
        path = folder / PUBLISHED[args.model].filename
        if args.repeats > 0:
            compare_with_package(args.model, path, args.seconds, args.repeats)
        if args.chunks:
            chunk_effect(path, args.seconds, chunk_seconds=2.0)
        if args.memory:
            peak_memory(path)


if __name__ == "__main__":
    main()
