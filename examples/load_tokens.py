"""Loading a tokenized dataset for training: the shards that ``codecreg tokenize`` wrote, three ways.

    codecreg tokenize my_audio/ --codec encodec_32khz --out tokens/
    python examples/load_tokens.py tokens/

Trains nothing: it shows what a training loop receives.
"""

from __future__ import annotations

import sys

import codecreg


def main(folder: str) -> None:
    tokens = codecreg.open_tokens(folder)
    meta = tokens.metadata
    print(f"{len(tokens)} rows of {meta.codec}: {meta.num_codebooks} codebooks x {meta.cardinality} entries, "
          f"{meta.frame_rate:g} frames/s")

    # 1. plain rows: codes as [K, T'] numpy arrays
    for row in tokens:
        print(f"  {row['id']}: codes {row['codes'].shape} {row['codes'].dtype}, {row['length']} samples")

    # 2. torch: an IterableDataset of int64 tensors, batched here one row at a time (lengths differ)
    import torch

    loader = torch.utils.data.DataLoader(tokens.torch(), batch_size=None)
    first = next(iter(loader))
    print(f"torch: {first['id']} -> {tuple(first['codes'].shape)} {first['codes'].dtype}")

    # 3. Hugging Face datasets reads the shards as they are
    import datasets

    table = datasets.load_dataset("parquet", data_files=f"{folder}/shard-*.parquet", split="train")
    print(f"datasets: {table.num_rows} rows, columns {table.column_names}")


if __name__ == "__main__":
    main(sys.argv[1])
