"""Reading a tokenized dataset back: ``open_tokens(DIR)`` for training code.

The shards are plain Parquet, so ``pyarrow.dataset``, polars and
``datasets.load_dataset("parquet", ...)`` read them as they are; this module
adds the dataset's metadata, rows with ``codes`` as ``[K, T']`` numpy arrays,
and a torch view. Only complete shards exist under their final names, so a
folder being written (or left by a killed job) reads consistently.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..errors import CodecregError
from .metadata import METADATA_FILE, DatasetMetadata, read_metadata
from .shards import SHARD_GLOB


class TokenDataset:
    """The rows of a tokenized dataset folder, shard by shard in input order."""

    def __init__(self, folder: Path, metadata: DatasetMetadata):
        self.folder = folder
        self.metadata = metadata
        self.shards = sorted(folder.glob(SHARD_GLOB))

    def __len__(self) -> int:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(shard).metadata.num_rows for shard in self.shards)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Each row as a dict; ``codes`` is a ``[K, T']`` array of the dataset's codes type."""
        import pyarrow.parquet as pq

        for shard in self.shards:
            parquet = pq.ParquetFile(shard)
            for group in range(parquet.num_row_groups):
                table = parquet.read_row_group(group)
                codes = table.column("codes").combine_chunks()
                others = table.drop_columns(["codes"]).to_pylist()
                for row, row_codes in zip(others, codes):
                    row["codes"] = _codes_array(row_codes, row["num_frames"])
                    yield row

    def torch(self) -> Any:
        """A ``torch.utils.data.IterableDataset`` of these rows, ``codes`` as int64 tensors ``[K, T']``."""
        from .torch_view import TorchTokens

        return TorchTokens(self)


def open_tokens(folder: str | os.PathLike) -> TokenDataset:
    """The tokenized dataset in ``folder`` (written by ``codecreg tokenize``)."""
    folder = Path(folder)
    metadata = read_metadata(folder) if folder.is_dir() else None
    if metadata is None:
        raise CodecregError(f"{folder} holds no tokenized dataset (no {METADATA_FILE}); "
                            "write one with `codecreg tokenize INPUT... --codec NAME --out FOLDER`")
    return TokenDataset(folder, metadata)


def _codes_array(codes: Any, frames: int) -> np.ndarray:
    values = codes.values.flatten().to_numpy(zero_copy_only=False)
    return values.reshape(-1, frames) if frames else values.reshape(len(codes), 0)
