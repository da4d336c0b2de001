"""Turning an ``hf:`` target into a local folder: a folder as given, or a Hub snapshot.

Every Hub access is one ``codecreg.checkpoints.hub_snapshot`` call, made only for an
explicit ``hf:`` name, so the Hub cache, ``HF_HOME``/``HF_HUB_CACHE``,
``HF_HUB_OFFLINE=1`` and revisions (branch, tag or commit hash) behave as for every
codec. transformers then loads from the folder and never reaches the network itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from codecreg import CheckpointError
from codecreg.checkpoints import hub_snapshot

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
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(target)
    except HFValidationError:
        name = f"hf:{target}" + (f"@{revision}" if revision else "")
        raise CheckpointError(f"{name}: neither an existing folder nor a valid Hub repo id "
                              "('name' or 'org/name'; a folder path starts with /, ./ or ~)") from None
    return hub_snapshot(target, revision, allow_patterns=SNAPSHOT_FILES,
                        local_hint="name a local folder: hf:/path/to/folder")
