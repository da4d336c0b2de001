"""Cold-process time of `codecreg list`, beside a bare `python -c pass` measured in the same run.

    .venv/bin/python benchmarks/bench_cli_startup.py [--runs 15] [--baseline-python PATH]

The difference is codecreg's own cost: discovering the entry points, importing
every plugin's light registration module and printing the table.
``--baseline-python`` names a second interpreter whose environment holds another
version of codecreg (an earlier commit, say); its commands run interleaved with
ours, so machine noise hits both alike, and the last column compares them.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import codecreg'": ["-c", "import codecreg"],
    "codecreg list": ["-m", "codecreg.cli.main", "list"],
    "codecreg list --json": ["-m", "codecreg.cli.main", "list", "--json"],
}


def cold_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    # from a neutral folder: `python -m` puts the working folder first on sys.path, and a
    # checkout's codecreg.egg-info there would shadow the entry points of the install measured
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline-python", help="an interpreter with another codecreg installed")
    args = parser.parse_args()
    pythons = {"this": sys.executable}
    if args.baseline_python:
        pythons["baseline"] = args.baseline_python
    times = {(who, label): [] for who in pythons for label in COMMANDS}
    for _ in range(args.runs):
        for label, command in COMMANDS.items():
            for who, python in pythons.items():
                times[who, label].append(cold_seconds([python, *command]))
    medians = {key: statistics.median(values) for key, values in times.items()}
    header = f"{'command':<30} {'median s':>9} {'minus bare python':>18} {'ratio to bare':>14}"
    print(header + (f" {'baseline median s':>18} {'baseline ratio to bare':>23}" if "baseline" in pythons else ""))
    for label in COMMANDS:
        row = _columns(medians, "this", label)
        if "baseline" in pythons:
            baseline_seconds, _, baseline_ratio = _numbers(medians, "baseline", label)
            row += f" {baseline_seconds:>18.3f} {baseline_ratio:>23.2f}"
        print(row)


def _numbers(medians, who, label):
    seconds, bare = medians[who, label], medians[who, "python -c pass"]
    return seconds, seconds - bare, seconds / bare


def _columns(medians, who, label):
    seconds, overhead, ratio = _numbers(medians, who, label)
    return f"{label:<30} {seconds:>9.3f} {overhead:>18.3f} {ratio:>14.2f}"


if __name__ == "__main__":
    main()
