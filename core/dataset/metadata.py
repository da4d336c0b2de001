"""What a dataset was made with: the codec, its geometry and resampler, and the job's inputs and shard size.

Written once, beside the shards (``_codecreg.json``) and in every shard's
Parquet schema metadata (key ``codecreg``). A rerun against the same folder is
checked against it: another codec, other options, another resampler or other inputs are refused,
since their rows could not be mixed with those already written. A multi-rate
codec's rows hold its packed grid (``codecreg.codec.levels``); ``code_levels``
says how to unpack it (``metadata.levels().unpack(row["codes"])``), empty for
a single-rate codec.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import CodecregError
from ..version import __version__
from .inputs import Item

METADATA_FILE = "_codecreg.json"
SCHEMA_KEY = b"codecreg"


class DatasetMismatchError(CodecregError):
    """A tokenization job asked of a folder that holds another codec's (or another job's) dataset."""


@dataclass(frozen=True)
class DatasetMetadata:
    codec: str
    sample_rate: int
    channels: int
    frame_rate: float
    cardinality: int
    num_codebooks: int
    codes_type: str
    shard_size: int
    num_inputs: int
    inputs_digest: str
    codecreg_version: str = __version__
    #: how the audio was resampled to the codec's rate; datasets older than the field were made with soxr
    resampler: str = "soxr"
    #: a multi-rate codec's ``CodeLevels.to_json()``; empty: one frame rate (and datasets written before it)
    code_levels: str = ""

    @classmethod
    def from_json(cls, text: str) -> DatasetMetadata:
        data = json.loads(text)
        return cls(**{field.name: data[field.name] for field in fields(cls)
                      if field.name in data or field.default is MISSING})

    def levels(self) -> Any | None:
        """The ``codecreg.CodeLevels`` of a multi-rate codec's rows, or None."""
        if not self.code_levels:
            return None
        from ..codec.levels import CodeLevels

        return CodeLevels.from_json(self.code_levels)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def codec_description(codec: Any) -> dict[str, Any]:
    """The fields of the metadata a loaded codec decides."""
    return {"codec": codec.name, "sample_rate": codec.sample_rate, "channels": codec.channels,
            "frame_rate": codec.frame_rate, "cardinality": codec.cardinality,
            "num_codebooks": codec.num_codebooks, "codes_type": codes_type(codec.cardinality),
            "resampler": getattr(codec, "resampler", "soxr"),
            "code_levels": "" if getattr(codec, "code_levels", None) is None else codec.code_levels.to_json()}


def codes_type(cardinality: int) -> str:
    """The narrowest unsigned integer type that holds codes 0 .. cardinality - 1."""
    for name, bits in (("uint8", 8), ("uint16", 16), ("uint32", 32)):
        if cardinality <= 2 ** bits:
            return name
    return "uint64"


def inputs_digest(items: list[Item]) -> str:
    """A fingerprint of the inputs in order: a rerun must see the same items in the same shards."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(json.dumps([item.id, item.path, item.start, item.end, item.row]).encode() + b"\n")
    return digest.hexdigest()


def read_metadata(folder: Path) -> DatasetMetadata | None:
    path = folder / METADATA_FILE
    if not path.exists():
        return None
    try:
        return DatasetMetadata.from_json(path.read_text())
    except (ValueError, KeyError, TypeError) as error:
        raise DatasetMismatchError(f"{path} is not a codecreg dataset description ({error}); "
                                   "give an empty or new --out folder") from None


def check_same_codec(existing: DatasetMetadata, codec_fields: dict[str, Any], folder: Path) -> None:
    """Refuse a codec (or options) other than the one ``folder``'s rows were made with."""
    differing = [key for key, value in codec_fields.items() if getattr(existing, key) != value]
    if differing:
        shown = "; ".join(f"{key}: {getattr(existing, key)!r} there, {codec_fields[key]!r} now" for key in differing)
        if differing == ["resampler"] or set(differing) == {"codec", "resampler"}:
            raise DatasetMismatchError(
                f"{folder} holds tokens of audio resampled with {existing.resampler}, and this job resamples with "
                f"{codec_fields['resampler']} ({shown}); rows resampled two ways cannot share a dataset. Give "
                f"another --out folder, or rerun with --codec {existing.codec!r} (--resampler "
                f"{existing.resampler}) to finish that dataset")
        raise DatasetMismatchError(
            f"{folder} holds tokens of codec {existing.codec!r}, and this job's codec is "
            f"{codec_fields['codec']!r} ({shown}); rows of two codecs cannot share a dataset. "
            f"Give another --out folder, or rerun with --codec {existing.codec!r} to finish that dataset")


def check_same_job(existing: DatasetMetadata, shard_size: int, items: list[Item], folder: Path) -> None:
    """Refuse other inputs or another shard size: the shards already written would not fit them."""
    if existing.shard_size != shard_size:
        raise DatasetMismatchError(f"{folder} was written with --shard-size {existing.shard_size}, not "
                                   f"{shard_size}; rerun with --shard-size {existing.shard_size} to resume it")
    if (existing.num_inputs, existing.inputs_digest) != (len(items), inputs_digest(items)):
        raise DatasetMismatchError(
            f"{folder} holds a job over other inputs ({existing.num_inputs} then, {len(items)} now, or the same "
            "count in another order or with other ids); resuming needs exactly the same inputs. Give a new "
            "--out folder for these inputs")
