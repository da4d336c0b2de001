"""Where published DAC weights live on disk, and fetching them when they are missing.

The folder is ``codecreg.checkpoints.cache_folder("dac")`` (``$CODECREG_CACHE/dac``), unlike
the package's fixed ``~/.cache/descript/dac``, under the package's own file names, so a
copy of its cache works as is. A file is downloaded only when it is missing and downloads
are allowed (``CODECREG_OFFLINE=1`` turns them off); what arrives is loaded as plain data
like any other checkpoint, never unpickled as code.
"""

from __future__ import annotations

from pathlib import Path

from codecreg.checkpoints import cache_folder, fetch

from .variants import PUBLISHED, PublishedWeights

CACHE_AREA = "dac"


def weights_path(variant: PublishedWeights) -> Path:
    """The path ``variant``'s weights are expected at (whether or not the file exists)."""
    return cache_folder(CACHE_AREA) / variant.filename


def published_weights_cached(name: str) -> bool:
    return weights_path(PUBLISHED[name]).is_file()


def local_weights(variant: PublishedWeights) -> Path:
    """The cached weights of ``variant``, downloaded first if missing and allowed."""
    return fetch(variant.url, CACHE_AREA, filename=variant.filename, hint=(
        f"They are {variant.name}'s weights; the dac package's own cache may hold them "
        f"(~/.cache/descript/dac/{variant.filename}). A DAC checkpoint elsewhere loads by its path: "
        "load_codec('/path/to/weights.pth')."))
