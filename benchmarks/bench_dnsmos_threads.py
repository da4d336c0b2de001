"""DNSMOS in two processes at once, as in a 2-worker study: speechmos' own ``dnsmos.run``
(onnxruntime's default sessions: a spinning thread per core in each process) against
codecreg's ``dnsmos`` metric (the process's torch threads, no spinning).

    .venv/bin/python benchmarks/bench_dnsmos_threads.py [--clips 8] [--rounds 2]

Each process sets one torch thread and ``OMP_NUM_THREADS=1``, as a local worker of a
2-worker study does, scores one clip untimed, then times ``--clips`` clips of 10 s noise at
16 kHz. The two kinds alternate, ``--rounds`` times each; the table gives each process's time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def child(kind: str, clips: int) -> None:
    import numpy as np
    import torch

    torch.set_num_threads(1)
    signal = 0.1 * np.random.default_rng(0).standard_normal(160000)
    if kind == "speechmos":
        from speechmos import dnsmos

        def score() -> float:
            return dnsmos.run(signal, 16000)["ovrl_mos"]
    else:
        from codecreg_metrics.perceptual import build_dnsmos

        dnsmos_metric = build_dnsmos()

        def score() -> float:
            return dnsmos_metric(signal[None], 16000)
    score()
    start = time.perf_counter()
    for _ in range(clips):
        score()
    print(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.clips)
        return
    print(f"two processes at once, {args.clips} clips of 10 s each; load average {os.getloadavg()}")
    for _ in range(args.rounds):
        for kind in ("speechmos", "codecreg"):
            start = time.perf_counter()
            processes = [subprocess.Popen([sys.executable, __file__, "--child", kind, "--clips", str(args.clips)],
                                          stdout=subprocess.PIPE, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
                         for _ in range(2)]
            times = [float(process.communicate()[0]) for process in processes]
            print(f"{kind:>9}: {times[0]:.2f} s and {times[1]:.2f} s per {args.clips} clips "
                  f"(wall {time.perf_counter() - start:.1f} s, start-up included)")


if __name__ == "__main__":
    main()
