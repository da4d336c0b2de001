"""How a codec uses its codebooks: utilization and perplexity, per codebook.

Utilization is the fraction of a codebook's entries that occur at least once;
perplexity is ``2 ** entropy`` of the empirical code distribution, from 1 (one
code always) to the cardinality (every code equally often). A codebook with low
values wastes bits, a common failure of RVQ training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CodebookUsage:
    codebook: int  # 0-based position in the residual stack
    utilization: float  # in [0, 1]
    entropy_bits: float
    perplexity: float  # in [1, cardinality]


class CodeCounter:
    """Accumulates code counts per codebook over many encoded inputs."""

    def __init__(self, num_codebooks: int, cardinality: int) -> None:
        self.cardinality = cardinality
        self.counts = np.zeros((num_codebooks, cardinality), dtype=np.int64)

    def add(self, codes: np.ndarray) -> None:
        """Count ``codes [B, K, T']`` (or ``[K, T']``)."""
        codes = np.asarray(codes).reshape(-1, *np.shape(codes)[-2:])
        for k in range(self.counts.shape[0]):
            self.counts[k] += np.bincount(codes[:, k].reshape(-1), minlength=self.cardinality)

    def usage(self) -> list[CodebookUsage]:
        return [_usage(k, row) for k, row in enumerate(self.counts)]


def _usage(k: int, counts: np.ndarray) -> CodebookUsage:
    total = counts.sum()
    if total == 0:
        return CodebookUsage(k, 0.0, 0.0, 0.0)
    p = counts[counts > 0] / total
    entropy = float(-(p * np.log2(p)).sum())
    return CodebookUsage(k, float((counts > 0).sum() / counts.size), entropy, float(2.0 ** entropy))
