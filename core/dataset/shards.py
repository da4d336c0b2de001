"""Parquet shards: the rows' schema, and a shard written whole or not at all.

A shard is written to a hidden temporary file in the dataset folder and renamed
into place, so a reader (or a rerun after ``kill -9``) sees complete shards
only. Shard ``n`` holds the rows of inputs ``n * shard_size`` to
``(n + 1) * shard_size - 1`` that succeeded, in input order, whatever engine and
however many workers encoded them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..files.atomic_file import atomic_write_path
from .encoding import EncodedItem
from .inputs import Item
from .metadata import SCHEMA_KEY, DatasetMetadata

SHARD_GLOB = "shard-*.parquet"


def shard_name(index: int) -> str:
    return f"shard-{index:05d}.parquet"


def shard_schema(metadata: DatasetMetadata) -> pa.Schema:
    codes = pa.list_(pa.list_(pa.from_numpy_dtype(np.dtype(metadata.codes_type))))
    return pa.schema([
        pa.field("id", pa.string()),
        pa.field("codes", codes),  # [K][T'] per row
        pa.field("length", pa.int64()),  # samples at the codec's rate
        pa.field("num_frames", pa.int32()),
        pa.field("sample_rate", pa.int32()),
        pa.field("source_sample_rate", pa.int32()),
        pa.field("source_channels", pa.int16()),
    ], metadata={SCHEMA_KEY: metadata.to_json().encode()})


def write_shard(folder: Path, index: int, rows: list[tuple[Item, EncodedItem]], metadata: DatasetMetadata) -> Path:
    """Write shard ``index`` of ``rows`` (in order) atomically; returns its path."""
    schema = shard_schema(metadata)
    columns = [
        pa.array([item.id for item, _ in rows], pa.string()),
        _codes_column([encoded.codes for _, encoded in rows], schema.field("codes").type),
        pa.array([encoded.length for _, encoded in rows], pa.int64()),
        pa.array([encoded.codes.shape[1] for _, encoded in rows], pa.int32()),
        pa.array([metadata.sample_rate] * len(rows), pa.int32()),
        pa.array([encoded.source_rate for _, encoded in rows], pa.int32()),
        pa.array([encoded.source_channels for _, encoded in rows], pa.int16()),
    ]
    target = folder / shard_name(index)
    with atomic_write_path(target) as temporary:
        pq.write_table(pa.Table.from_arrays(columns, schema=schema), temporary)
    return target


def _codes_column(codes: list[np.ndarray], kind: pa.ListType) -> pa.Array:
    """``[K][T']`` lists per row from ``[K, T']`` arrays, without a Python list per code."""
    value_type = kind.value_type.value_type
    values = np.concatenate([c.ravel() for c in codes]) if codes else np.zeros(0)
    frame_counts = np.concatenate([np.full(c.shape[0], c.shape[1]) for c in codes]) if codes else np.zeros(0)
    inner_offsets = np.concatenate([[0], np.cumsum(frame_counts)]).astype(np.int32)
    outer_offsets = np.concatenate([[0], np.cumsum([c.shape[0] for c in codes])]).astype(np.int32)
    inner = pa.ListArray.from_arrays(pa.array(inner_offsets), pa.array(values.astype(value_type.to_pandas_dtype())))
    return pa.ListArray.from_arrays(pa.array(outer_offsets), inner, type=kind)
