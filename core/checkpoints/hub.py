"""The Hugging Face Hub through huggingface_hub, so its cache, ``HF_HOME``/``HF_HUB_CACHE``,
``HF_HUB_OFFLINE`` and revisions behave as everywhere else.

huggingface_hub retries an unreachable Hub for about 25 s before it reads its cache;
here the endpoint gets a quick connection check first (``endpoint_unreachable``), and
only the cache is read when it fails or downloads are off. Everything huggingface_hub
can raise for a repo becomes a ``CheckpointError`` that says how to fix it, and a repo
that is not cached and cannot be downloaded has one message, whoever asks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import CheckpointError
from ..network import endpoint_unreachable
from .cache import offline_reason

#: how a plugin's error ends when nothing else helps; plugins name their own local form
LOCAL_COPY = "load a local copy by its path"


def hub_file(repo_id: str, filenames: Sequence[str], revision: str | None = None, *,
             local_hint: str = LOCAL_COPY) -> Path:
    """The first of ``filenames`` that the repo holds at ``revision``, cached or downloaded.

    ``local_hint`` ends the not-cached message: how to load the model without the Hub.
    """
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError

    cache_only = _why_cache_only()
    not_cached = False
    for filename in filenames:
        try:
            with _as_checkpoint_errors(repo_id, revision, local_hint):
                return Path(hf_hub_download(repo_id, filename, revision=revision,
                                            local_files_only=cache_only is not None))
        except LocalEntryNotFoundError:
            not_cached = True  # perhaps the next file is
        except EntryNotFoundError:
            continue  # the repo has no such file
    if not_cached:
        raise CheckpointError(_not_cached(repo_id, revision, cache_only, local_hint))
    raise CheckpointError(f"{_at(repo_id, revision)} on the Hugging Face Hub has none of {', '.join(filenames)}")


def hub_snapshot(repo_id: str, revision: str | None = None, *, allow_patterns: Sequence[str],
                 local_hint: str = LOCAL_COPY) -> Path:
    """The folder of the repo's snapshot at ``revision`` holding the files ``allow_patterns``
    match (``"*.safetensors"``), cached or downloaded."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    cache_only = _why_cache_only()
    try:
        with _as_checkpoint_errors(repo_id, revision, local_hint):
            return Path(snapshot_download(repo_id, revision=revision, allow_patterns=list(allow_patterns),
                                          local_files_only=cache_only is not None))
    except LocalEntryNotFoundError:
        raise CheckpointError(_not_cached(repo_id, revision, cache_only, local_hint)) from None


def hub_snapshot_cached(repo_id: str, weight_files: Sequence[str]) -> bool:
    """Whether some cached snapshot of ``repo_id`` holds ``config.json`` and one of ``weight_files``.

    For listing, which asks it of every name: it reads the folder layout
    ``<HF_HUB_CACHE>/models--ORG--NAME/snapshots/*/`` and imports only huggingface_hub's
    constants (which honour HF_HOME and HF_HUB_CACHE as a download does), never torch.
    """
    from huggingface_hub import constants

    repo = Path(constants.HF_HUB_CACHE) / ("models--" + repo_id.replace("/", "--"))
    return any((snapshot / "config.json").is_file() and any((snapshot / name).is_file() for name in weight_files)
               for snapshot in (repo / "snapshots").glob("*"))


def _why_cache_only() -> str | None:
    """Why only the cache may be read (downloads off, the Hub unreachable), or None."""
    reason = offline_reason(hub=True)
    if reason is not None:
        return f"downloads are off ({reason})"
    from huggingface_hub import constants

    unreachable = endpoint_unreachable(constants.ENDPOINT)
    return None if unreachable is None else f"the Hub could not be reached to download it ({unreachable})"


@contextlib.contextmanager
def _as_checkpoint_errors(repo_id: str, revision: str | None, local_hint: str) -> Iterator[None]:
    """huggingface_hub's errors about the repo as ``CheckpointError``s; a missing file or
    cache entry passes through, for the caller to judge."""
    from huggingface_hub.errors import (EntryNotFoundError, GatedRepoError, HFValidationError, HfHubHTTPError,
                                        RepositoryNotFoundError, RevisionNotFoundError)

    where = _at(repo_id, revision)
    try:
        yield
    except EntryNotFoundError:
        raise
    except RevisionNotFoundError:
        raise CheckpointError(f"{where}: the Hub repo {repo_id!r} has no revision {revision!r} (give a branch, "
                              "a tag or a commit hash that exists)") from None
    except GatedRepoError:
        raise CheckpointError(f"{where}: {repo_id!r} is gated on the Hub: accept its terms on "
                              f"https://huggingface.co/{repo_id} and log in with `hf auth login`") from None
    except RepositoryNotFoundError:
        raise CheckpointError(f"{where}: no Hub repo {repo_id!r} (check the spelling; for a private repo, "
                              "log in with `hf auth login`)") from None
    except HfHubHTTPError as error:
        raise CheckpointError(f"{where}: the Hugging Face Hub answered with an error: {error}. Try again "
                              f"later, or {local_hint}") from None
    except HFValidationError:
        raise CheckpointError(f"{repo_id!r} is not a Hugging Face Hub repo id ('name' or 'org/name')") from None


def _not_cached(repo_id: str, revision: str | None, cache_only: str | None, local_hint: str) -> str:
    from huggingface_hub import constants

    why = cache_only or "the Hub could not be reached to download it (the connection failed)"
    download = f"hf download {repo_id}" + (f" --revision {revision}" if revision else "")
    return (f"{_at(repo_id, revision)} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and {why}. "
            f"Fix: download it once with network access (`{download}`), point HF_HOME or HF_HUB_CACHE at a "
            f"cache that holds it, or {local_hint}")


def _at(repo_id: str, revision: str | None) -> str:
    return repo_id + (f"@{revision}" if revision else "")
