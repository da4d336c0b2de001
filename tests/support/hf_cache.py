"""Laying out a Hugging Face Hub cache by hand, as a download would have, for offline tests."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def hub_cache_dir() -> Path:
    """The cache huggingface_hub reads in this test session (HF_HOME is set by tests/conftest.py)."""
    return Path(os.environ["HF_HOME"]) / "hub"


def put_in_hf_cache(folder: str | os.PathLike, repo_id: str, revision: str = "main",
                    cache_dir: str | os.PathLike | None = None, link: bool = False) -> Path:
    """Copy ``folder`` (e.g. from ``save_pretrained``) into the cache as ``repo_id`` at ``revision``,
    or with ``link=True`` symlink its files (as huggingface_hub links snapshots to blobs), for a
    folder that outlives the session (``codecreg.testing.checkpoint_folder``).

    Returns the snapshot folder. With HF_HUB_OFFLINE=1, ``from_pretrained(repo_id)``
    and ``hf_hub_download(repo_id, ...)`` then resolve it without a network.
    """
    cache = Path(cache_dir) if cache_dir else hub_cache_dir()
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    commit = hashlib.sha1(f"{repo_id}@{revision}".encode()).hexdigest()
    snapshot = repo / "snapshots" / commit
    if snapshot.exists():
        shutil.rmtree(snapshot)
    if link:
        snapshot.mkdir(parents=True)
        for path in Path(folder).iterdir():
            (snapshot / path.name).symlink_to(path.resolve())
    else:
        shutil.copytree(folder, snapshot)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / revision).write_text(commit)
    return snapshot
