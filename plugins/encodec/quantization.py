"""Residual vector quantization: each codebook quantizes what the previous ones left.

The nearest entry is found with the same expression, in the same order of
operations, as the reference implementations, its product row-stable
(``row_stable.py``) so that chunked encoding gives one pass's codes. RVQ
decisions are discontinuous: a last-bit difference in a distance can pick
another code, which is why parity with the references is defined by near-ties
(``codecreg.testing.count_near_tie_differences``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .row_stable import product


class ResidualVectorQuantizer(nn.Module):
    """``codebooks [K, N, D]``: K codebooks of N entries of dimension D."""

    def __init__(self, num_codebooks: int, codebook_size: int, dimension: int):
        super().__init__()
        self.register_buffer("codebooks", torch.zeros(num_codebooks, codebook_size, dimension))
        self.register_buffer("squared_norms", torch.zeros(num_codebooks, 1, codebook_size), persistent=False)

    def refresh(self) -> None:
        """Cache each entry's squared norm; call after the codebooks change."""
        self.squared_norms.copy_(self.codebooks.transpose(1, 2).pow(2).sum(1, keepdim=True))

    @property
    def num_codebooks(self) -> int:
        return self.codebooks.shape[0]

    @property
    def codebook_size(self) -> int:
        return self.codebooks.shape[1]

    def nearest(self, vectors: torch.Tensor, k: int) -> torch.Tensor:
        """Index of the entry of codebook ``k`` closest to each row of ``vectors [M, D]``."""
        distances = -(vectors.pow(2).sum(1, keepdim=True) - 2 * product(vectors, self.codebooks[k].t())
                      + self.squared_norms[k])
        return distances.max(dim=-1).indices

    def encode(self, latent: torch.Tensor, n: int) -> torch.Tensor:
        """``latent [B, D, T]`` -> codes ``[B, n, T]`` from the first ``n`` codebooks."""
        batch, _, frames = latent.shape
        residual = latent
        codes = []
        for k in range(n):
            rows = residual.permute(0, 2, 1).reshape(batch * frames, -1)
            index = self.nearest(rows, k).view(batch, frames)
            residual = residual - F.embedding(index, self.codebooks[k]).permute(0, 2, 1)
            codes.append(index)
        return torch.stack(codes, dim=1)

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """codes ``[B, K, T]`` -> the sum of their codebook entries, time-major ``[B, T, D]``."""
        latent = F.embedding(codes[:, 0], self.codebooks[0])
        for k in range(1, codes.shape[1]):
            latent += F.embedding(codes[:, k], self.codebooks[k])
        return latent
