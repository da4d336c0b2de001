"""Where published DAC weights live on disk, and fetching them when they are missing.

The folder is ``$CODECREG_CACHE/dac`` (default ``~/.cache/codecreg/dac``), unlike the
package's fixed ``~/.cache/descript/dac``. A file is downloaded only when it is
missing and downloads are allowed (``CODECREG_OFFLINE=1`` turns them off); what
arrives is loaded as plain data like any other checkpoint, never unpickled as code.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from codecreg import CheckpointError

from .variants import PUBLISHED, PublishedWeights

logger = logging.getLogger(__name__)

CACHE_VARIABLE = "CODECREG_CACHE"
OFFLINE_VARIABLE = "CODECREG_OFFLINE"
DOWNLOAD_TIMEOUT_S = 30.0


def cache_folder() -> Path:
    root = os.environ.get(CACHE_VARIABLE) or os.path.join("~", ".cache", "codecreg")
    return Path(root).expanduser() / "dac"


def weights_path(variant: PublishedWeights) -> Path:
    """The path ``variant``'s weights are expected at (whether or not the file exists)."""
    return cache_folder() / variant.filename


def published_weights_cached(name: str) -> bool:
    """Whether the published weights of the codec ``name`` are in the cache folder (for listing)."""
    return weights_path(PUBLISHED[name]).is_file()


def local_weights(variant: PublishedWeights) -> Path:
    """The cached weights of ``variant``, downloaded first if missing and allowed."""
    path = weights_path(variant)
    if path.is_file():
        return path
    if os.environ.get(OFFLINE_VARIABLE, "").lower() in ("1", "true", "yes"):
        raise CheckpointError(_missing_message(variant, path, f"downloads are off ({OFFLINE_VARIABLE} is set)"))
    try:
        download(variant.url, path)
    except OSError as error:  # urllib's URLError is one
        raise CheckpointError(_missing_message(variant, path, f"downloading it failed: {error}")) from error
    return path


def download(url: str, path: Path, timeout: float = DOWNLOAD_TIMEOUT_S) -> None:
    """Fetch ``url`` into ``path`` through a temporary name, so an interrupted download leaves no file."""
    import urllib.request  # here: listing imports this module for published_weights_cached

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    logger.info("downloading %s to %s", url, path)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _missing_message(variant: PublishedWeights, path: Path, reason: str) -> str:
    return (
        f"{variant.name} needs its weights at {path}, which does not exist, and {reason}. "
        f"Provide the file: download {variant.url} to that path, or copy it from the dac package's "
        f"cache (~/.cache/descript/dac/{variant.filename}), or point {CACHE_VARIABLE} at the folder "
        f"that holds 'dac/{variant.filename}'. A DAC checkpoint elsewhere loads by its path: "
        "load_codec('/path/to/weights.pth')."
    )
