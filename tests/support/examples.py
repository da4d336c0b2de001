"""The example packages of examples/, installed as a user would, into a folder of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def pip_install_example(folder: str, target: Path) -> dict[str, str]:
    """pip-install ``examples/<folder>`` into ``target`` (offline: no build isolation, no dependencies)
    and return an environment whose Python finds it."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(EXAMPLES / folder)], check=True, timeout=300)
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")])))
