"""Peak memory of loading ``encodec_32khz``: codecreg's native loader against transformers'.

Each case runs in a fresh child process of a parent that imports nothing heavy
(Linux carries a parent's peak RSS into its children), and the child reports its
own peak RSS as the OS counts it (``getrusage(RUSAGE_SELF).ru_maxrss``), once
after its imports and once after loading; the table gives the load's increase over that import mark, as a
ratio of the weights' file size. The cases:

- ``imports``: import torch and the encodec plugin only (the baseline of the others);
- ``codecreg``: ``codecreg.load_codec("encodec_32khz")``;
- ``transformers``: ``EncodecModel.from_pretrained("facebook/encodec_32khz")``;
- ``codecreg@REV`` with ``--baseline-rev REV``: our loader as it was at the git
  revision REV (its ``plugins/encodec`` extracted to a temporary folder and put
  first on the child's path), to compare a change in the same run.

Weights are seeded random at the published size (tests/support/hf_models.py),
saved once with ``save_pretrained`` into an offline Hub cache under /tmp
(``HF_HUB_OFFLINE=1``); every case loads that same file.

    .venv/bin/python benchmarks/bench_load_memory.py [--baseline-rev main] [--repeats 3]
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
CACHE = Path(tempfile.gettempdir()) / "codecreg-bench-load-memory"
REPO_ID = "facebook/encodec_32khz"

_CHILD = r"""
import json, resource, sys
case = sys.argv[1]
import torch
torch.set_num_threads(2)
if case == "transformers":
    from transformers import EncodecModel
else:
    import codecreg, codecreg_encodec.pretrained
imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if case == "transformers":
    model = EncodecModel.from_pretrained("%(repo)s")
elif case != "imports":
    model = codecreg.load_codec("encodec_32khz")
    if len(sys.argv) > 2 and not codecreg_encodec.pretrained.__file__.startswith(sys.argv[2]):
        raise SystemExit(f"loaded {codecreg_encodec.pretrained.__file__}, not the copy in {sys.argv[2]}")
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"imported_kib": imported, "loaded_kib": loaded}))
""" % {"repo": REPO_ID}


def build_weights() -> Path:
    """The cached snapshot's weights file, built on first use in a child process: a parent
    grown by torch would hand its peak RSS on to every child (Linux keeps it across exec)."""
    snapshots = CACHE / "hub" / ("models--" + REPO_ID.replace("/", "--")) / "snapshots"
    if not sorted(snapshots.glob("*/model.safetensors")):
        build = ("import sys; sys.path.insert(0, %r)\n"
                 "from support.hf_models import build_encodec, cache_model\n"
                 "cache_model(build_encodec('encodec_32khz'), %r)" % (str(ROOT / "tests"), REPO_ID))
        subprocess.run([sys.executable, "-c", build], env=dict(os.environ, HF_HOME=str(CACHE)), check=True)
    return sorted(snapshots.glob("*/model.safetensors"))[0]


def old_plugin(revision: str, folder: Path) -> Path:
    """A folder holding ``codecreg_encodec`` as it was at ``revision``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "plugins/encodec"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "codecreg_encodec").symlink_to(folder / "plugins" / "encodec")
    return folder


def run_case(case: str, path_prefix: Path | None) -> dict[str, int]:
    env = dict(os.environ, HF_HOME=str(CACHE), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               OMP_NUM_THREADS="2")
    command = [sys.executable, "-c", _CHILD, case.partition("@")[0]]
    if path_prefix:
        env["PYTHONPATH"] = os.pathsep.join([str(path_prefix), env.get("PYTHONPATH", "")])
        command.append(str(path_prefix))
    result = subprocess.run(command, env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-rev", help="also measure our loader at this git revision")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case; the table shows the lowest")
    args = parser.parse_args()

    weights = build_weights()
    size_mib = weights.stat().st_size / 2 ** 20
    with tempfile.TemporaryDirectory(prefix="bench-load-memory-") as scratch:
        cases: list[tuple[str, Path | None]] = [("imports", None), ("codecreg", None), ("transformers", None)]
        if args.baseline_rev:
            cases.insert(1, (f"codecreg@{args.baseline_rev}", old_plugin(args.baseline_rev, Path(scratch))))
        print(f"weights: {weights} ({size_mib:.0f} MiB); peak RSS per fresh process, "
              f"lowest of {args.repeats}; python {sys.version.split()[0]}")
        print(f"{'case':<24}{'after imports MiB':>19}{'after load MiB':>16}{'increase MiB':>14}{'x weights':>11}")
        for case, prefix in cases:
            runs = [run_case(case, prefix) for _ in range(args.repeats)]
            imported = min(run["imported_kib"] for run in runs) / 1024
            loaded = min(run["loaded_kib"] for run in runs) / 1024
            increase = min(run["loaded_kib"] - run["imported_kib"] for run in runs) / 1024
            print(f"{case:<24}{imported:>19.0f}{loaded:>16.0f}{increase:>14.0f}{increase / size_mib:>11.2f}")


if __name__ == "__main__":
    main()
