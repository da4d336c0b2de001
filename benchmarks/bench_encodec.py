"""Encode and decode wall time of codecreg's EnCodec against the reference implementations,
the same weights on both sides, in the same run.

    .venv/bin/python benchmarks/bench_encodec.py [--repeats 5] [--cases 10x1,10x8,60x1]
    THP_MEM_ALLOC_ENABLE=1 .venv/bin/python benchmarks/bench_encodec.py   # huge pages for torch tensors

- 32 kHz: transformers ``EncodecModel`` (MusicGen's configuration) vs ours;
- 24 kHz: the ``encodec`` package at 6 kbps vs ours at 6 kbps.

Weights are random at the real sizes, the codebooks seeded from latent frames so
that codes vary. Each repetition times the reference and ours back to back (the
machine may be shared: ratios within a run are what to read), 2 threads, medians.
Ours encodes a batch item by item, so every measured encode is checked against
the reference's codes of each item by the near-tie rule
(``codecreg.testing.count_near_tie_differences``: any other difference stops the
run); "near-ties" counts the codes where ours differ, "ref batch flips" the codes
the reference's own batched call gives otherwise (oneDNN picks kernels by problem
size). Both decoders get the same codes. The matrix-product rate is measured
first, and each encode's and decode's FLOP rate is given as a fraction of it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.encodec_references import TRANSFORMERS_32KHZ, package_model, transformers_model  # noqa: E402

import codecreg  # noqa: E402
from codecreg.testing import count_near_tie_differences, synthetic_audio  # noqa: E402


class Transformers32:
    name = "32 kHz: transformers"
    sample_rate = 32000

    def __init__(self, folder: str):
        self.model = transformers_model(TRANSFORMERS_32KHZ)
        self.model.save_pretrained(folder)
        self.ours = codecreg.load_codec(folder)

    def encode(self, audio):
        return self.model.encode(audio, bandwidth=2.2).audio_codes[0]

    def latent_and_codebooks(self, audio):
        return self.model.encoder(audio), [layer.codebook.embed for layer in self.model.quantizer.layers]

    def decode(self, codes):
        return self.model.decode(codes[None], [None]).audio_values


class Package24:
    name = "24 kHz 6 kbps: encodec package"
    sample_rate = 24000

    def __init__(self, folder: str):
        self.model = package_model(self.sample_rate)
        self.model.set_target_bandwidth(6.0)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "encodec_24khz-d7cc33bc.th")
        torch.save(self.model.state_dict(), path)
        self.ours = codecreg.load_codec(f"{path}?bandwidth=6")

    def encode(self, audio):
        return self.model.encode(audio)[0][0]

    def latent_and_codebooks(self, audio):
        return self.model.encoder(audio), [layer._codebook.embed for layer in self.model.quantizer.vq.layers]

    def decode(self, codes):
        return self.model.decode([(codes, None)])


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def timed(clock, function, *args):
    start = clock()
    result = function(*args)
    return clock() - start, result


def measure(pair, seconds: float, batch: int, repeats: int, clock) -> dict:
    audio = synthetic_audio(1, int(seconds * pair.sample_rate), pair.sample_rate, batch=batch, seed=7)
    times = {key: [] for key in ("ref_encode", "ref_decode", "our_encode", "our_decode")}
    worst_difference = 0.0
    batch_flips = near_ties = 0
    with torch.inference_mode():
        # ours encodes item by item (codes never depend on batching), so it is held to that standard
        expected = torch.cat([pair.encode(item) for item in audio.split(1)])
        latent = torch.cat([pair.latent_and_codebooks(item)[0] for item in audio.split(1)])
        codebooks = pair.latent_and_codebooks(audio[:1, :, :pair.sample_rate])[1]
        for _ in range(repeats):
            seconds_ref, ref_codes = timed(clock, pair.encode, audio)
            seconds_ours, (codes, _) = timed(clock, pair.ours.encode, audio)
            try:
                near_ties = max(near_ties, count_near_tie_differences(codes, expected, latent, codebooks))
            except AssertionError as error:
                raise SystemExit(f"{pair.name} ({seconds} s x {batch}): {error}") from None
            batch_flips = max(batch_flips, int((ref_codes != expected).sum()))
            times["ref_encode"].append(seconds_ref)
            times["our_encode"].append(seconds_ours)
            seconds_ref, ref_audio = timed(clock, pair.decode, codes)
            seconds_ours, decoded = timed(clock, pair.ours.decode, codes)
            times["ref_decode"].append(seconds_ref)
            times["our_decode"].append(seconds_ours)
            worst_difference = max(worst_difference, float((decoded - ref_audio).abs().max()))
    medians = {key: statistics.median(values) for key, values in times.items()}
    medians["difference"] = worst_difference
    medians["batch_flips"] = batch_flips
    medians["near_ties"] = near_ties
    medians["codes"] = expected.numel()
    return medians


def flops_per_second_of_audio(codec) -> dict[str, float]:
    """Multiply-adds x 2 of the encoder and decoder for one second of audio."""
    from codecreg_encodec.layers import PaddedConv1d, SkipLSTM, TrimmedConvTranspose1d

    def count(layers, rate: float) -> float:
        """Walk the layers in order, following the rate each one runs at."""
        total = 0.0
        for module in layers.modules():
            if isinstance(module, PaddedConv1d):
                rate /= module.conv.stride[0]
                total += 2 * module.conv.weight.numel() * rate
            elif isinstance(module, TrimmedConvTranspose1d):
                total += 2 * module.conv.weight.numel() * rate
                rate *= module.conv.stride[0]
            elif isinstance(module, SkipLSTM):
                total += 2 * sum(p.numel() for n, p in module.lstm.named_parameters() if "weight" in n) * rate
        return total

    config = codec.config
    frame_rate = config.frame_rate
    decoder = count(codec.decoder, frame_rate)
    encoder = count(codec.encoder, config.sample_rate)
    quantizer = 2 * codec.num_codebooks * config.codebook_size * config.dimension * frame_rate
    return {"encode": encoder + quantizer, "decode": decoder}


def matmul_rate(size: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        rates.append(2 * size ** 3 / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", default="10x1,10x8,60x1", help="SECONDSxBATCH, comma separated")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="cpu: this process's CPU time, steadier on a shared machine (use with --threads 1: "
                             "with more, it counts threads waiting for each other)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cases = [tuple(float(part) for part in case.split("x")) for case in args.cases.split(",")]
    rate = matmul_rate()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.clock} clock, "
          f"load average {os.getloadavg()}")
    print(f"matrix product (2048^2, fp32) on {torch.get_num_threads()} threads: {rate / 1e9:.0f} GFLOP/s")
    print(f"{'model':32} {'audio':>9} {'ref enc':>8} {'ours enc':>8} {'ratio':>6} {'ref %':>6} {'ours %':>6} "
          f"{'ref dec':>8} {'ours dec':>8} {'ratio':>6} {'max diff':>9} {'near-ties':>13} {'ref batch flips':>15}")
    with tempfile.TemporaryDirectory() as folder:
        for pair_class in (Transformers32, Package24):
            pair = pair_class(os.path.join(folder, pair_class.__name__))
            flops = flops_per_second_of_audio(pair.ours)
            for seconds, batch in cases:
                repeats = args.repeats if seconds <= 10 else max(1, args.repeats // 2)
                m = measure(pair, seconds, int(batch), repeats, CLOCKS[args.clock])
                work = flops["encode"] * seconds * batch / rate  # seconds at the matrix-product rate
                print(f"{pair.name:32} {seconds:>5g}s x{int(batch)} {m['ref_encode']:8.3f} {m['our_encode']:8.3f} "
                      f"{m['ref_encode'] / m['our_encode']:6.2f} {100 * work / m['ref_encode']:5.0f}% "
                      f"{100 * work / m['our_encode']:5.0f}% {m['ref_decode']:8.3f} {m['our_decode']:8.3f} "
                      f"{m['ref_decode'] / m['our_decode']:6.2f} {m['difference']:9.1e} "
                      f"{m['near_ties']:>5d} of {m['codes']:<6d} {m['batch_flips']:15d}", flush=True)
            print(f"{'':32} GFLOP per second of audio: encode {flops['encode'] / 1e9:.1f}, "
                  f"decode {flops['decode'] / 1e9:.1f}")
    print(f"load average at the end {os.getloadavg()}; 'ref %', 'ours %': the encode's FLOP rate as a fraction "
          "of the matrix-product rate")


if __name__ == "__main__":
    main()
