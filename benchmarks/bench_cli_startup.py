"""Cold-process time of `codecreg list`, beside a bare `python -c pass` measured in the same run.

    .venv/bin/python benchmarks/bench_cli_startup.py [--runs 15]

The difference is codecreg's own cost: discovering the entry points, importing
every plugin's light registration module and printing the table.
"""

import argparse
import statistics
import subprocess
import sys
import time


def cold_seconds(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import codecreg'": [sys.executable, "-c", "import codecreg"],
        "codecreg list": [sys.executable, "-m", "codecreg.cli.main", "list"],
        "codecreg list --json": [sys.executable, "-m", "codecreg.cli.main", "list", "--json"],
    }
    results = {label: statistics.median(cold_seconds(command, args.runs)) for label, command in commands.items()}
    base = results["python -c pass"]
    print(f"{'command':<30} {'median s':>9} {'minus bare python':>18} {'ratio':>6}")
    for label, seconds in results.items():
        print(f"{label:<30} {seconds:>9.3f} {seconds - base:>18.3f} {seconds / base:>6.2f}")


if __name__ == "__main__":
    main()
