"""Finding the ffmpeg program, which writes (the ffmpeg writer) and reads (mp3 and what libsndfile cannot).

The binary is, in order: the ``binary`` argument (the writer's ``ffmpeg?binary=...``),
the ``CODECREG_FFMPEG`` environment variable, ``ffmpeg`` on the PATH, the one
shipped in the ``imageio-ffmpeg`` wheel. An explicit choice that does not work
is an error, never a reason to fall back to another binary.
"""

from __future__ import annotations

import os
import shutil

from ..errors import MissingDependencyError

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
