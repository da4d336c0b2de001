"""The encodec package's checkpoints: a flat state dict per file
(``encodec_24khz-d7cc33bc.th``, ``encodec_48khz-7e698e3e.th``).

The package hard-codes the architecture, so the file name says which model it
is; a renamed file is recognized by its tensors (a GroupNorm after the first
convolution means the 48 kHz model), and the channel and codebook counts are
read from their shapes.
"""

from __future__ import annotations

import os
import re
import urllib.parse

from codecreg import CheckpointError
from codecreg.checkpoints import fetch, load_torch_file

from .config import ENCODEC_24KHZ, ENCODEC_48KHZ, EncodecConfig
from .model import EncodecCodec
from .weights import build_codec, count_codebooks

PUBLISHED_ROOT = "https://dl.fbaipublicfiles.com/encodec/v0/"
PUBLISHED_FILES = {"encodec_24khz-d7cc33bc.th": ENCODEC_24KHZ, "encodec_48khz-7e698e3e.th": ENCODEC_48KHZ}
_NAMED = re.compile(r"encodec_(24|48)khz")


def config_for(filename: str, state: dict) -> EncodecConfig:
    named = _NAMED.search(os.path.basename(filename))
    if named:
        return ENCODEC_24KHZ if named.group(1) == "24" else ENCODEC_48KHZ
    first = state.get("encoder.model.0.conv.conv.weight_v", state.get("encoder.model.0.conv.conv.weight"))
    if first is None:
        raise CheckpointError(f"{filename!r} is not an encodec package state dict (no encoder.model.0 convolution)")
    base = ENCODEC_48KHZ if "encoder.model.0.conv.norm.weight" in state else ENCODEC_24KHZ
    return base.replace(channels=int(first.shape[1]), num_codebooks=count_codebooks(state))


def load_file(path: str | os.PathLike, device="cpu") -> EncodecCodec:
    state = load_torch_file(path)
    if not isinstance(state, dict):
        raise CheckpointError(f"{os.fspath(path)!r} holds a {type(state).__name__}, not a state dict")
    return build_codec(config_for(os.fspath(path), state), state, device, source=os.fspath(path))


def published_url(target: str) -> str | None:
    """The download URL ``target`` names: a URL, or the name of a published file."""
    if urllib.parse.urlparse(target).scheme in ("http", "https"):
        return target
    if target in PUBLISHED_FILES:
        return PUBLISHED_ROOT + target
    return None


def from_target(target: str, revision: str | None = None, device="cpu") -> EncodecCodec:
    """Source factory of ``encodec-package:TARGET``: a local file, a published file name
    (downloaded from the package's URL) or a URL; also used for such files given by path."""
    if revision is not None:
        raise CheckpointError(f"encodec package checkpoints have no revisions (drop '@{revision}')")
    if os.path.isfile(target):
        return load_file(target, device)
    url = published_url(target)
    if url is None:
        raise CheckpointError(
            f"no such file: {target!r}. Give the path of an encodec package checkpoint, one of the "
            f"published names ({', '.join(PUBLISHED_FILES)}) or its URL"
        )
    filename = os.path.basename(urllib.parse.urlparse(url).path)
    hint = f"Or load a copy kept elsewhere by its path: codecreg.load_codec('/path/to/{filename}')"
    return load_file(fetch(url, "encodec", require_hash=True, hint=hint), device)
