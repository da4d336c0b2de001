"""Finding the ffmpeg program and what it can encode.

The binary is, in order: the writer's ``binary`` option (``ffmpeg?binary=...``),
the ``CODECREG_FFMPEG`` environment variable, ``ffmpeg`` on the PATH, the one
shipped in the ``imageio-ffmpeg`` wheel. An explicit choice that does not work
is an error, never a reason to fall back to another binary.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from codecreg import MissingDependencyError

FFMPEG_ENV = "CODECREG_FFMPEG"
INSTALL_HINT = ("Install ffmpeg (e.g. apt install ffmpeg), or pip install 'codecreg[audio]' for the "
                f"imageio-ffmpeg build, or set {FFMPEG_ENV} to an ffmpeg binary, or write with backend='soundfile'.")


class FFmpegNotFoundError(MissingDependencyError):
    """No usable ffmpeg binary."""


def locate_ffmpeg(binary: str | None = None) -> str:
    """The path of the ffmpeg to run; raises FFmpegNotFoundError saying what was tried."""
    if binary:
        return _executable(binary, "the writer's binary option")
    from_env = os.environ.get(FFMPEG_ENV, "").strip()
    if from_env:
        return _executable(from_env, f"{FFMPEG_ENV}")
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    from_wheel, why_not = _imageio_ffmpeg()
    if from_wheel:
        return from_wheel
    raise FFmpegNotFoundError(f"no ffmpeg found: {FFMPEG_ENV} is not set, there is no ffmpeg on the PATH, "
                              f"and {why_not}. {INSTALL_HINT}")


@functools.lru_cache(maxsize=None)
def encoders(binary: str) -> frozenset[str]:
    """The audio encoders ``binary`` was built with (``ffmpeg -encoders``), probed once per binary."""
    try:
        result = subprocess.run([binary, "-hide_banner", "-encoders"], capture_output=True, text=True,
                                timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FFmpegNotFoundError(f"{binary} could not be run to list its encoders ({error}). {INSTALL_HINT}") from None
    if result.returncode != 0:
        raise FFmpegNotFoundError(f"{binary} -encoders failed (exit {result.returncode}): "
                                  f"{result.stderr.strip()[-500:]}. {INSTALL_HINT}")
    names = set()
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 2 and len(fields[0]) == 6 and fields[0].startswith("A"):
            names.add(fields[1])
    return frozenset(names)


def _executable(candidate: str, origin: str) -> str:
    found = shutil.which(os.path.expanduser(candidate))
    if found is None:
        raise FFmpegNotFoundError(f"the ffmpeg binary {candidate!r} given by {origin} does not exist or is not "
                                  f"executable. Point {origin} at an ffmpeg program, or unset it.")
    return found


def _imageio_ffmpeg() -> tuple[str | None, str]:
    try:
        import imageio_ffmpeg
    except ImportError:
        return None, "imageio-ffmpeg is not installed"
    try:
        path = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as error:
        return None, f"imageio-ffmpeg has no binary ({error})"
    found = shutil.which(path)
    return (found, "") if found else (None, f"imageio-ffmpeg's binary {path!r} is not executable")
