"""Downloading a file into codecreg's cache: complete and checked, or not at all.

The bytes go to a temporary file in the target's own folder and are renamed into
place only when the download is complete (as long as the server said it would be)
and, when a SHA-256 is known, matches it; on any failure, Ctrl-C included, the
temporary file is removed, so a cut or wrong download never passes for the file.
The hash is given, or read from a file name that carries its first hex digits
(``encodec_24khz-d7cc33bc.th``, as ``torch.hub``'s ``check_hash`` reads it); a
file already in the cache is checked against it too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import urllib.parse
from pathlib import Path
from typing import BinaryIO

from ..errors import CheckpointError
from .cache import CACHE_VARIABLE, cache_folder, offline_reason

logger = logging.getLogger(__name__)

HASHED_NAME = re.compile(r"^[^/]+-(?P<hash>[0-9a-f]{6,64})\.[A-Za-z0-9]+$")
_HEX = re.compile(r"^[0-9a-f]{6,64}$")
#: seconds a connection or a read may wait for the server (not a bound on the whole download)
DOWNLOAD_TIMEOUT_S = 30.0
_CHUNK = 2 ** 20


def hash_in_name(filename: str) -> str | None:
    """The SHA-256 prefix a ``name-<hex>.ext`` file name carries, or None."""
    match = HASHED_NAME.match(filename)
    return match.group("hash") if match else None


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, area: str, *, filename: str | None = None, sha256: str | None = None,
          require_hash: bool = False, timeout: float = DOWNLOAD_TIMEOUT_S, hint: str = "") -> Path:
    """The cached copy of ``url`` at ``cache_folder(area) / filename``, downloaded when missing.

    ``filename`` defaults to the URL's last path segment. ``sha256`` (the full digest or a
    prefix) defaults to the one the file name carries; ``require_hash`` refuses a URL
    whose file cannot be checked so. ``hint`` is a sentence appended to the error when the
    file can be neither found nor downloaded (another place to find it, say).
    """
    filename = filename or os.path.basename(urllib.parse.urlsplit(url).path)
    if not filename:
        raise CheckpointError(f"{url} names no file (its path ends with '/'): give the URL of the file itself")
    if filename in (".", "..") or os.path.basename(filename) != filename:
        raise ValueError(f"filename {filename!r} must be a file name, without a folder")
    expected = _expected_hash(filename, sha256, require_hash)
    promise = "its name promises" if sha256 is None else "expected"
    target = cache_folder(area) / filename
    if target.is_file():
        if expected and not (digest := sha256_of(target)).startswith(expected):
            raise CheckpointError(f"{target} has SHA-256 {digest[:len(expected)]}..., not the {expected} {promise}: "
                                  "it is damaged or another file. Delete it to download it again")
        return target
    reason = offline_reason()
    if reason is not None:
        raise CheckpointError(_not_available(url, area, target, f"downloads are off ({reason})", hint))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _new_partial_file(target)
    try:
        with open(partial, "wb") as out:
            digest = _download(url, out, timeout)
        if expected and not digest.startswith(expected):
            raise CheckpointError(f"the download of {url} has SHA-256 {digest[:len(expected)]}..., not the "
                                  f"{expected} {promise}; it was deleted. Try again, or download it yourself, "
                                  "check it and load it by its path")
        os.replace(partial, target)
    except _DownloadFailed as failed:
        raise CheckpointError(_not_available(url, area, target, f"downloading it failed: {failed}", hint)) from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _expected_hash(filename: str, sha256: str | None, require_hash: bool) -> str:
    """The SHA-256 (or its prefix) the file must have; empty when none is known."""
    expected = (sha256 or hash_in_name(filename) or "").lower()
    if sha256 is not None and not _HEX.match(expected):
        raise ValueError(f"sha256 {sha256!r} is not 6 to 64 hex digits")
    if not expected and require_hash:
        raise CheckpointError(f"{filename!r} has no '-<sha256 prefix>' before its extension, so its download "
                              "could not be checked; download it yourself and load it by its path")
    return expected


def _new_partial_file(target: Path) -> Path:
    """An empty hidden file beside ``target``, its name this download's own (so concurrent
    downloads do not write into each other), created with the umask's usual permissions."""
    while True:
        partial = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return partial
        except FileExistsError:
            continue


class _DownloadFailed(Exception):
    """Why a download failed, in words."""


def _download(url: str, out: BinaryIO, timeout: float) -> str:
    """Copy ``url`` into ``out``; its SHA-256."""
    import http.client  # here: listing imports this package, and urllib.request is slow to import
    import urllib.error
    import urllib.request

    logger.info("downloading %s", url)
    digest, received = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            promised = response.headers.get("Content-Length")
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
    except urllib.error.HTTPError as error:
        raise _DownloadFailed(str(error)) from None
    except urllib.error.URLError as error:
        raise _DownloadFailed(str(error.reason)) from None
    except (OSError, http.client.HTTPException) as error:
        raise _DownloadFailed(repr(error)) from None
    if promised is not None and promised.isdigit() and received != int(promised):
        raise _DownloadFailed(f"the connection ended after {received} of {promised} bytes")
    return digest.hexdigest()


def _not_available(url: str, area: str, target: Path, why: str, hint: str) -> str:
    return (f"{target.name} is not in codecreg's cache ({target}) and {why}. It comes from {url}: download "
            f"it to that path yourself, or point {CACHE_VARIABLE} at a folder that holds "
            f"'{area}/{target.name}'." + (f" {hint}" if hint else ""))
