"""Time the dac plugin's encode and decode against bare ``dac`` package calls, in the same run.

The model is a real-size DAC (the plugin's seeded test weights at the published
configuration, ``codecreg.testing.installed``, cached in ``$CODECREG_TEST_WEIGHTS``)
in DAC's own format; the plugin loads it by name (``impl=native`` unless ``--impl package``),
the package with its own ``DAC.load`` of the same file. The bare calls are
``model.encode(model.preprocess(x, sr))`` and ``model.decode(model.quantizer.from_codes(codes)[0])``
under ``torch.no_grad()``. Methods run interleaved, ``--repeats`` times each after a warm-up, for
each of ``--seconds``; the table shows medians and the plugin/package ratio. The native codes must
equal the package's up to near-ties (``codecreg_dac.parity``, at most 1 in 10,000): the count is
printed, and a difference beyond a near-tie voids the run.

``--chunks`` adds the effect of chunked encoding (``chunk_seconds``) on the codes,
``--memory`` the peak memory of one pass against chunks above the loaded model (each in a fresh
process), ``--long-memory S`` the peak RSS of encoding S seconds and, apart, of decoding its codes
with the codec's defaults, each in a fresh child process read by ``getrusage(RUSAGE_CHILDREN)``.

    .venv/bin/python benchmarks/bench_dac.py [--model dac_44khz] [--seconds 10,60] [--repeats 3]
        [--threads 2] [--impl native] [--chunks] [--memory] [--long-memory 600]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

import codecreg
from codecreg.testing import installed, synthetic_audio
from codecreg_dac.parity import assert_dac_codes_match_up_to_near_ties
from codecreg_dac.variants import PUBLISHED


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def compare_with_package(codec, model, seconds: float, repeats: int) -> None:
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
    with torch.no_grad():
        latent = model.encoder(model.preprocess(audio, sr))
    try:  # the near-tie rule also holds the package path, whose codes are the package's exactly
        near_ties = assert_dac_codes_match_up_to_near_ties(codes, package_codes, latent, codec.model)
    except AssertionError as error:
        raise SystemExit(f"the plugin's codes are not the package's: the comparison is void ({error})")
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

    print(f"\n{seconds:g} s mono, median of {repeats}; {near_ties} of {codes.numel()} codes differ from the "
          "package's, at near-ties")
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


def long_memory(model_name: str, impl: str, seconds: float) -> None:
    """Peak RSS of encoding ``seconds`` of audio, and of decoding its codes, each in a fresh child
    (measured from a fresh Python that starts it, so earlier children do not count)."""
    name = f"{model_name}?impl={impl}"
    print(f"\npeak RSS, {seconds:g} s of {name} (default chunk_seconds), one child process per step")
    with tempfile.TemporaryDirectory(prefix="bench-dac-") as scratch:
        codes_path = Path(scratch) / "codes.pt"
        for step in ("encode", "decode"):
            command = [sys.executable, __file__, "--child-step", step, name, str(seconds), str(codes_path)]
            probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True);"
                     "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            out = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True,
                                 text=True, env={**os.environ, "CODECREG_OFFLINE": "1"}).stdout.split()
            print(f"{step}: {int(out[-1]) / 2 ** 20:.2f} GiB peak RSS ({out[0]} s wall)")


def child_step(step: str, name: str, seconds: float, codes_path: str) -> None:
    """One step of ``long_memory``: encode (saving the codes) or decode them; prints its wall time."""
    codec = codecreg.load_codec(name)
    length = int(seconds * codec.sample_rate)
    start = time.perf_counter()
    if step == "encode":
        audio = synthetic_audio(1, length, codec.sample_rate)
        torch.save(codec.encode(audio)[0], codes_path)
    else:
        codec.decode(torch.load(codes_path, weights_only=True), length=length)
    print(f"{time.perf_counter() - start:.1f}")


def _status_kib(field: str) -> int:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="dac_44khz", choices=["dac_44khz", "dac_24khz", "dac_16khz"])
    parser.add_argument("--seconds", default="10,60", help="comma-separated lengths of the timed audio")
    parser.add_argument("--repeats", type=int, default=3, help="0 skips the comparison with the package")
    parser.add_argument("--impl", default="native", choices=["native", "package"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunks", action="store_true", help="also measure chunked encoding's codes")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory, one pass vs chunks")
    parser.add_argument("--long-memory", type=float, default=0, metavar="SECONDS",
                        help="also measure the peak RSS of encoding, and of decoding, this much audio")
    parser.add_argument("--child-peak", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-step", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*weight_norm.*")
    torch.set_num_threads(args.threads)
    if args.child_peak:
        child_peak(args.child_peak[0], float(args.child_peak[1]), args.child_peak[2])
        return
    if args.child_step:
        step, name, seconds, codes_path = args.child_step
        child_step(step, name, float(seconds), codes_path)
        return

    print(f"{platform.node()} {platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {time.strftime('%Y-%m-%d')}")
    os.environ["CODECREG_OFFLINE"] = "1"
    with installed(args.model, "real") as folder:
        path = folder / PUBLISHED[args.model].filename
        lengths = [float(text) for text in args.seconds.split(",")]
        if args.repeats > 0:
            import dac

            codec = codecreg.load_codec(f"{args.model}?impl={args.impl}")
            model = dac.DAC.load(str(path)).eval()
            print(f"\n{args.model}: plugin impl={args.impl} against the dac package")
            for seconds in lengths:
                compare_with_package(codec, model, seconds, args.repeats)
            del codec, model
        if args.chunks:
            chunk_effect(path, lengths[0], chunk_seconds=2.0)
        if args.memory:
            peak_memory(path)
        if args.long_memory:
            long_memory(args.model, args.impl, args.long_memory)


if __name__ == "__main__":
    main()
