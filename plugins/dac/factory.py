"""Building DAC codecs: from the published weights by name, or from a checkpoint path.

Options arrive as strings from the name (``dac_44khz?channels=2``):
``channels``, 1 (default) or more; each channel is encoded by the mono model and
the codes interleave them (``codec.py``); ``impl``, ``native`` (default: our own layers,
``native.py``) or ``package`` (the ``dac`` package's ``dac.DAC``). ``chunk_seconds`` is core's
option.
"""

from __future__ import annotations

import os

from codecreg import CheckpointError, InvalidNameError, parse_int_option

from .checkpoint import load_dac_model, load_native_model
from .codec import DacCodec, PackageDac
from .variants import PUBLISHED, PublishedWeights
from .weights import local_weights

def dac_44khz(device="cpu", **options) -> DacCodec:
    return build_published(PUBLISHED["dac_44khz"], device, **options)


def dac_44khz_16kbps(device="cpu", **options) -> DacCodec:
    return build_published(PUBLISHED["dac_44khz_16kbps"], device, **options)


def dac_24khz(device="cpu", **options) -> DacCodec:
    return build_published(PUBLISHED["dac_24khz"], device, **options)


def dac_16khz(device="cpu", **options) -> DacCodec:
    return build_published(PUBLISHED["dac_16khz"], device, **options)


IMPLEMENTATIONS = ("native", "package")


def build_published(variant: PublishedWeights, device="cpu", channels: str = "1", impl: str = "native") -> DacCodec:
    """The codec of published weights, from the cache folder (fetched first when missing)."""
    path = local_weights(variant)
    codec = build(path, device, channels, impl)
    found = (codec.sample_rate, codec.hop, codec.total_codebooks // codec.channels, codec.cardinality)
    expected = (variant.sample_rate, variant.hop, variant.codebooks, variant.codebook_size)
    if found != expected:
        raise CheckpointError(
            f"{path} holds a DAC with sample rate {found[0]}, hop {found[1]}, {found[2]} codebooks of "
            f"{found[3]}; {variant.name} is {expected[0]}, {expected[1]}, {expected[2]} of {expected[3]}. "
            "Remove the file to fetch the published one again, or load this one by its path."
        )
    return codec


def from_checkpoint(target: str, revision: str | None = None, device="cpu", channels: str = "1",
                    impl: str = "native") -> DacCodec:
    """The ``dac`` source: a checkpoint written by ``DAC.save(path, package=False)``, given by path."""
    if revision is not None:
        raise InvalidNameError(f"dac:{target}@{revision}: a local DAC checkpoint has no revisions")
    return build(os.path.expanduser(target), device, channels, impl)


def build(path: str | os.PathLike, device="cpu", channels: str = "1", impl: str = "native") -> DacCodec:
    if impl not in IMPLEMENTATIONS:
        raise InvalidNameError(f"impl must be one of {', '.join(IMPLEMENTATIONS)} (native: codecreg's own "
                               f"layers, package: the dac package's), got {impl!r}")
    count = parse_int_option("channels", channels, example="2 for stereo")
    model = load_native_model(path) if impl == "native" else PackageDac(load_dac_model(path))
    return DacCodec(model, channels=count).to(device)
