"""Fixtures of the writer tests: an isolated registry, and a folder nobody may write to."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import codecreg
from codecreg import WriterSpec
from codecreg.registry.discovery import discover


@pytest.fixture
def registry():
    """A registry of the installed plugins that a test may add to; the process-wide one is restored after."""
    fresh = discover()
    codecreg.reset_registry(fresh)
    yield fresh
    codecreg.reset_registry(None)


@pytest.fixture
def python_wave_writer(registry):
    """``pywave``, a third-party writer (16-bit wav only), registered as a plugin would register it."""
    spec = WriterSpec(name="pywave", factory="writers.helpers:build_python_wave_writer", formats=("wav",),
                      priority=50, options=("fail_after_bytes",), description="wav through Python's wave module")
    registry.add(spec.with_origin("pywave", "codecreg-pywave (test)"))
    return spec


@pytest.fixture
def unwritable_folder(tmp_path: Path):
    """A folder holding ``existing.wav`` in which no new file can be created.

    ``chmod`` is enough for a normal user; root ignores it, so the folder is then
    also made immutable with ``chattr +i`` (which root obeys). Skipped when
    neither can make the folder unwritable here.
    """
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "existing.wav").write_bytes(b"RIFF old content")
    folder.chmod(0o555)
    immutable = False
    if os.access(folder, os.W_OK) and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    try:
        probe = folder / "probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("cannot make a folder unwritable here (root without chattr)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
