"""The torch view of a tokenized dataset, apart so that reading the rows never imports torch."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import torch
from torch.utils.data import IterableDataset


class TorchTokens(IterableDataset):
    """Rows with ``codes`` as int64 tensors ``[K, T']``; in a ``DataLoader`` with workers, each
    worker reads its own share of the shards."""

    def __init__(self, tokens: Any):
        super().__init__()
        self.tokens = tokens

    def __iter__(self) -> Iterator[dict[str, Any]]:
        info = torch.utils.data.get_worker_info()
        shards = self.tokens.shards if info is None else self.tokens.shards[info.id::info.num_workers]
        view = type(self.tokens)(self.tokens.folder, self.tokens.metadata)
        view.shards = shards
        for row in view:
            row["codes"] = torch.from_numpy(row["codes"].astype(np.int64))
            yield row
