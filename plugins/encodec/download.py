"""Downloading published checkpoint files whose name carries their hash (``name-d7cc33bc.th``).

The hash is the first hex digits of the file's SHA-256, as ``torch.hub``'s
``check_hash`` reads it; a download that does not match is deleted, never used,
and a file found in the cache (perhaps put there by hand) is checked too.
Files go to ``$CODECREG_CACHE/<area>/`` (default ``~/.cache/codecreg``), written
under a temporary name and renamed once checked, so a cut download never
passes for a complete one.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from codecreg import CheckpointError

HASHED_NAME = re.compile(r"^[^/]+-(?P<hash>[0-9a-f]{6,64})\.[A-Za-z0-9]+$")
_CHUNK = 2 ** 20


def cache_dir(area: str) -> Path:
    root = os.environ.get("CODECREG_CACHE") or os.path.join("~", ".cache", "codecreg")
    return Path(root).expanduser() / area


def expected_hash(filename: str) -> str:
    match = HASHED_NAME.match(filename)
    if match is None:
        raise CheckpointError(f"{filename!r} has no '-<sha256 prefix>' before its extension, so its "
                              "download could not be checked; download it yourself and load it by path")
    return match.group("hash")


def fetch_hashed(url: str, area: str, timeout: float = 60.0) -> Path:
    """The cached copy of ``url`` (downloaded and hash-checked on first use)."""
    filename = os.path.basename(urllib.parse.urlparse(url).path)
    prefix = expected_hash(filename)
    target = cache_dir(area) / filename
    if target.is_file():
        digest = sha256_of(target)
        if not digest.startswith(prefix):
            raise CheckpointError(f"{target} has SHA-256 {digest[:len(prefix)]}..., not the {prefix} its name "
                                  "promises: it is damaged or another file. Delete it to download it again")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=filename + ".", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            digest = _download(url, out, timeout, target)
        if not digest.startswith(prefix):
            raise CheckpointError(f"the download of {url} has SHA-256 {digest[:len(prefix)]}..., not the "
                                  f"{prefix} its name promises; it was deleted. Try again, or download it "
                                  "yourself, check it and load it by path")
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return target


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url: str, out, timeout: float, target: Path) -> str:
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise CheckpointError(
            f"could not download {url} ({reason}). Without network access, download it elsewhere and "
            f"either load it by path (codecreg.load_codec('/path/to/{target.name}')) or place it at {target}"
        ) from None
    return digest.hexdigest()
