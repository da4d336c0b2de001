"""Turning an ``hf:`` target into a local folder: a folder as given, or a Hub snapshot.

Every Hub access goes through one ``snapshot_download`` call, made only for an
explicit ``hf:`` name. It honours the Hub cache, ``HF_HOME``/``HF_HUB_CACHE``,
``HF_HUB_OFFLINE=1`` and revisions (branch, tag or commit hash). transformers then
loads from the folder and never reaches the network itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from codecreg import CheckpointError, endpoint_unreachable

#: the files a codec needs; weights only as safetensors, never a pickle; the feature extractor's
#: settings for the families that preprocess their input (XCodec2, NeuCodec)
SNAPSHOT_FILES = ["config.json", "preprocessor_config.json", "*.safetensors", "*.safetensors.index.json"]


def resolve_folder(target: str, revision: str | None = None) -> Path:
    """The local folder holding the checkpoint ``target`` names (a folder, or a Hub repo id)."""
    folder = Path(os.path.expanduser(target))
    if folder.is_dir():
        if revision is not None:
            raise CheckpointError(
                f"hf:{target}@{revision}: a revision selects a commit of a Hub repo, but {target!r} is a "
                f"local folder; drop '@{revision}'"
            )
        return folder
    if target.startswith(("/", "./", "../", "~")):
        raise CheckpointError(f"hf:{target}: no such folder, and it is not a Hub repo id (org/name)")
    return _snapshot(target, revision)


def _snapshot(repo_id: str, revision: str | None) -> Path:
    from huggingface_hub import constants, is_offline_mode, snapshot_download
    from huggingface_hub.errors import (GatedRepoError, HFValidationError, HfHubHTTPError,
                                        LocalEntryNotFoundError, RepositoryNotFoundError,
                                        RevisionNotFoundError)
    from huggingface_hub.utils import validate_repo_id

    name = f"hf:{repo_id}" + (f"@{revision}" if revision else "")
    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        raise CheckpointError(f"{name}: neither an existing folder nor a valid Hub repo id "
                              "('name' or 'org/name'; a folder path starts with /, ./ or ~)") from None
    offline = is_offline_mode()
    unreachable = None if offline else endpoint_unreachable(constants.ENDPOINT)
    try:
        return Path(snapshot_download(repo_id, revision=revision, allow_patterns=SNAPSHOT_FILES,
                                      local_files_only=unreachable is not None))
    except LocalEntryNotFoundError:
        why = ("HF_HUB_OFFLINE=1 forbids downloading it" if offline else
               f"the Hub could not be reached to download it ({unreachable or 'the connection failed'})")
        raise CheckpointError(_not_available_message(name, repo_id, revision, constants.HF_HUB_CACHE,
                                                     why)) from None
    except RevisionNotFoundError:
        raise CheckpointError(f"{name}: the Hub repo {repo_id!r} has no revision {revision!r} "
                              "(give a branch, a tag or a commit hash that exists)") from None
    except GatedRepoError:
        raise CheckpointError(f"{name}: {repo_id!r} is gated on the Hub: accept its terms on "
                              f"https://huggingface.co/{repo_id} and log in with `hf auth login`") from None
    except RepositoryNotFoundError:
        raise CheckpointError(f"{name}: no Hub repo {repo_id!r} (check the spelling; for a private repo, "
                              "log in with `hf auth login`)") from None
    except HfHubHTTPError as error:
        raise CheckpointError(f"{name}: the Hub answered with an error: {error}") from None


def _not_available_message(name: str, repo_id: str, revision: str | None, cache: str, why: str) -> str:
    at = f" at revision {revision!r}" if revision else ""
    download = f"hf download {repo_id}" + (f" --revision {revision}" if revision else "")
    return (
        f"{name}: {repo_id!r}{at} is not in the Hugging Face cache ({cache}) and {why}. Fix: download it "
        f"once with network access (`{download}`, or load it with HF_HUB_OFFLINE unset), point "
        "HF_HOME or HF_HUB_CACHE at a cache that holds it, or name a local folder: hf:/path/to/folder"
    )
