"""Fetching a transformers-layout EnCodec from the Hugging Face Hub, through huggingface_hub,
so its cache, ``HF_HOME``, ``HF_HUB_OFFLINE`` and revisions behave as everywhere else."""

from __future__ import annotations

from codecreg import CheckpointError, endpoint_unreachable

from .model import EncodecCodec
from .transformers_format import WEIGHT_FILES, read_config_file, read_weights_file
from .weights import build_codec


def load_from_hub(repo_id: str, revision: str | None = None, device="cpu") -> EncodecCodec:
    from huggingface_hub import constants

    unreachable = None if constants.HF_HUB_OFFLINE else endpoint_unreachable(constants.ENDPOINT)
    config_path = _download(repo_id, "config.json", revision, unreachable)
    weights_path = None
    for name in WEIGHT_FILES:
        try:
            weights_path = _download(repo_id, name, revision, unreachable)
            break
        except _FileAbsent:
            continue
    if weights_path is None:
        raise CheckpointError(f"{repo_id!r}: config.json was found but neither {' nor '.join(WEIGHT_FILES)}, "
                              "in the Hugging Face cache or on the Hub")
    config = read_config_file(config_path)
    return build_codec(config, read_weights_file(weights_path), device, source=f"{repo_id} ({weights_path})")


class _FileAbsent(Exception):
    """The repo was reached (or is cached) but has no such file."""


def _download(repo_id: str, filename: str, revision: str | None, unreachable: str | None) -> str:
    """The cached or downloaded file; from the cache only when ``unreachable`` says why the Hub is."""
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.errors import (EntryNotFoundError, HfHubHTTPError, LocalEntryNotFoundError,
                                        RepositoryNotFoundError, RevisionNotFoundError)

    at = f"@{revision}" if revision else ""
    try:
        return hf_hub_download(repo_id, filename, revision=revision, local_files_only=unreachable is not None)
    except LocalEntryNotFoundError:
        if filename != "config.json":
            raise _FileAbsent(filename) from None
        why = ("HF_HUB_OFFLINE is set" if constants.HF_HUB_OFFLINE
               else f"the Hub could not be reached ({unreachable or 'no connection'})")
        download = f"hf download {repo_id}" + (f" --revision {revision}" if revision else "")
        raise CheckpointError(
            f"{repo_id}{at} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and {why}. "
            f"Download it once where the network is open (`{download}`), point "
            f"HF_HOME (or HF_HUB_CACHE) at a cache that holds it, or load a local copy by its path: "
            f"codecreg.load_codec('/path/to/encodec_folder')"
        ) from None
    except EntryNotFoundError:
        raise _FileAbsent(filename) from None
    except (RepositoryNotFoundError, RevisionNotFoundError) as error:
        raise CheckpointError(f"cannot fetch {repo_id}{at} from the Hugging Face Hub: {error}") from None
    except HfHubHTTPError as error:
        raise CheckpointError(f"the Hugging Face Hub refused {repo_id}{at}/{filename}: {error}") from None
