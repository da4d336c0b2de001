"""What the ffmpeg program found by ``codecreg.audio.ffmpeg_binary.locate_ffmpeg`` can encode."""

from __future__ import annotations

import functools
import subprocess

from codecreg.audio.ffmpeg_binary import INSTALL_HINT, FFmpegNotFoundError


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
