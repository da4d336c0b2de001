"""Our numpy metrics and token files beside the reference implementations, measured in the same run.

    .venv/bin/python benchmarks/bench_study_metrics.py [--seconds 10] [--runs 5]

Metrics on one mono clip at 44.1 kHz: codecreg_metrics' si_sdr, mel_distance and
stft_distance against DAC's SISDRLoss and audiotools' MelSpectrogramLoss (DAC's
evaluation settings) and MultiScaleSTFTLoss, in torch with 2 threads; the values
are printed too, to show they agree. Token files: save + load of DAC 44.1 kHz-
shaped codes (9 x 1024) against torch.save + torch.load(weights_only=True) of
the same int64 tensor, with the file sizes.
"""

import argparse
import os
import statistics
import tempfile
import time
import warnings

import numpy as np
import torch

from codecreg.tokens.token_file import load_codes, save_codes
from codecreg.testing import synthetic_audio
from codecreg_metrics.si_sdr import si_sdr
from codecreg_metrics.spectral_distances import mel_distance, stft_distance

RATE = 44100


def median_seconds(function, runs: int) -> tuple[float, object]:
    value = function()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def metric_rows(seconds: float, runs: int) -> list[tuple]:
    from audiotools import AudioSignal
    from audiotools.metrics.spectral import MelSpectrogramLoss, MultiScaleSTFTLoss
    from dac.nn.loss import SISDRLoss

    length = int(seconds * RATE)
    reference = synthetic_audio(1, length, RATE, seed=1)[0].numpy()
    estimate = reference + 0.05 * synthetic_audio(1, length, RATE, seed=2)[0].numpy()
    signals = [AudioSignal(torch.from_numpy(x)[None], RATE) for x in (estimate, reference)]
    dac_mel = MelSpectrogramLoss(n_mels=[5, 10, 20, 40, 80, 160, 320],
                                 window_lengths=[32, 64, 128, 256, 512, 1024, 2048],
                                 mag_weight=0.0, clamp_eps=1e-5, pow=1.0, mel_fmin=[0.0] * 7, mel_fmax=[None] * 7)
    pairs = {
        "si_sdr": (lambda: si_sdr(reference, estimate),
                   lambda: -float(SISDRLoss()(torch.from_numpy(reference)[None], torch.from_numpy(estimate)[None]))),
        "mel_distance": (lambda: mel_distance(reference, estimate, RATE), lambda: float(dac_mel(*signals))),
        "stft_distance": (lambda: stft_distance(reference, estimate, RATE),
                          lambda: float(MultiScaleSTFTLoss()(*signals))),
    }
    rows = []
    for name, (ours, theirs) in pairs.items():
        our_s, our_value = median_seconds(ours, runs)
        their_s, their_value = median_seconds(theirs, runs)
        rows.append((name, our_s, their_s, our_value, their_value))
    return rows


def token_rows(seconds: float, runs: int) -> list[tuple]:
    class Geometry:  # what save_codes reads from a codec
        name, sample_rate, channels, frame_rate, cardinality = "dac_44khz", RATE, 1, RATE / 512, 1024

    frames = int(np.ceil(seconds * Geometry.frame_rate))
    codes = torch.from_numpy(np.random.default_rng(0).integers(0, 1024, (1, 9, frames)))
    folder = tempfile.mkdtemp()
    ours, theirs = os.path.join(folder, "x.codes"), os.path.join(folder, "x.pt")
    our_s, _ = median_seconds(lambda: load_codes(save_codes(ours, codes, Geometry, int(seconds * RATE))), runs)
    their_s, _ = median_seconds(lambda: (torch.save(codes, theirs), torch.load(theirs, weights_only=True)), runs)
    return [("token file save+load", our_s, their_s, os.path.getsize(ours), os.path.getsize(theirs))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(2)
    warnings.filterwarnings("ignore", message="stft_data changed shape")

    print(f"{args.seconds:g} s mono at {RATE} Hz, median of {args.runs} runs, torch threads 2")
    print(f"{'what':<22} {'codecreg s':>10} {'reference s':>11} {'ratio':>6}   values (codecreg / reference)")
    for name, ours, theirs, our_value, their_value in metric_rows(args.seconds, args.runs):
        print(f"{name:<22} {ours:>10.4f} {theirs:>11.4f} {ours / theirs:>6.2f}   {our_value:.6g} / {their_value:.6g}")
    for name, ours, theirs, our_size, their_size in token_rows(args.seconds, args.runs):
        print(f"{name:<22} {ours:>10.4f} {theirs:>11.4f} {ours / theirs:>6.2f}   "
              f"{our_size} / {their_size} bytes (torch.save of int64)")


if __name__ == "__main__":
    main()
