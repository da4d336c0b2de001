"""How often float32 arithmetic alone moves an EnCodec code: the near-tie rate of codecreg's
encoder and of transformers' own, each against transformers run in float64, on seeded
real-size weights.

    .venv/bin/python benchmarks/bench_near_ties.py [--codec encodec_24khz] [--signals 6] [--seconds 10]
    MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 .venv/bin/python ...

Each signal (``synthetic_audio``, seeds from 5) is coded at the highest bandwidth by three
encoders: ours, transformers' ``EncodecModel`` in float32 (the parity tests' reference) and the
same model in float64 (exact arithmetic, nearly). The table counts codes at near-ties
(``count_near_tie_differences``: any other difference stops the run) for each pair, and the
latents' largest difference relative to the float64 latent's peak. The allowance of the parity
rule (``near_tie_allowance``) is printed beside the counts. The environment variables above
make MKL, oneDNN and ATen take their AVX2 kernels on an AVX-512 machine.
"""

from __future__ import annotations

import argparse
import copy

import torch

import codecreg
from codecreg.testing import (checkpoint_folder, count_near_tie_differences, installed, near_tie_allowance,
                              synthetic_audio)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codec", default="encodec_24khz", choices=["encodec_24khz", "encodec_32khz"])
    parser.add_argument("--signals", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    torch.set_num_threads(2)
    from transformers import EncodecModel

    with installed(args.codec, "real"):
        folder = checkpoint_folder(args.codec, "real")
        reference = EncodecModel.from_pretrained(folder).eval()
        exact = copy.deepcopy(reference).double()
        ours = codecreg.load_codec(str(folder))
        rate, bandwidth = reference.config.sampling_rate, reference.config.target_bandwidths[-1]
        books = [layer.codebook.embed for layer in reference.quantizer.layers]
        totals = [0, 0, 0]
        print(f"{args.codec}, {args.seconds:g} s signals, {bandwidth:g} kbps")
        print(f"{'seed':>4} {'codes':>7} {'allowed':>7} {'ours~ref':>8} {'ours~f64':>8} {'ref~f64':>8}"
              f" {'ours latent err':>15} {'ref latent err':>14}")
        for seed in range(5, 5 + args.signals):
            audio = synthetic_audio(1, int(args.seconds * rate) + 77, rate, seed=seed)
            with torch.no_grad():
                ref_codes = reference.encode(audio, bandwidth=bandwidth).audio_codes[0]
                exact_codes = exact.encode(audio.double(), bandwidth=bandwidth).audio_codes[0]
                ref_latent, exact_latent = reference.encoder(audio), exact.encoder(audio.double())
                codes = ours.encode(audio)[0]
                our_latent = ours_latent(ours, audio)
            counts = [count_near_tie_differences(codes, ref_codes, ref_latent, books),
                      count_near_tie_differences(codes, exact_codes, exact_latent, books),
                      count_near_tie_differences(ref_codes, exact_codes, exact_latent, books)]
            totals = [total + count for total, count in zip(totals, counts)]
            peak = exact_latent.abs().max()
            errors = [float((latent.double() - exact_latent).abs().max() / peak) for latent in (our_latent, ref_latent)]
            print(f"{seed:>4} {codes.numel():>7} {near_tie_allowance(codes.numel()):>7} {counts[0]:>8} {counts[1]:>8}"
                  f" {counts[2]:>8} {errors[0]:>15.2e} {errors[1]:>14.2e}", flush=True)
        total = args.signals * codes.numel()
        print(f" all {total:>7} {near_tie_allowance(total):>7} " + " ".join(f"{count:>8}" for count in totals))
        print("rates per 10,000 codes: " + ", ".join(f"{label} {1e4 * count / total:.2f}" for label, count in
                                                     zip(("ours~ref", "ours~f64", "ref~f64"), totals)))


def ours_latent(codec, audio: torch.Tensor) -> torch.Tensor:
    """What our quantizer receives in one pass, ``[B, D, T']``."""
    seen = []
    quantize = codec._quantize
    codec._quantize = lambda latent: seen.append(latent.clone()) or quantize(latent)
    try:
        codec.encode_by_plan(audio, codec._staged_plan(), whole=True)
    finally:
        codec._quantize = quantize
    return seen[0]


if __name__ == "__main__":
    main()
