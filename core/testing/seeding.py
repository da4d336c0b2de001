"""Seeding a residual quantizer's codebooks so that a random model's codes vary.

Random initialization (or transformers' zeroed codebooks) makes every frame pick one entry,
and two implementations then agree trivially. As a k-means initialization would, each
codebook in order gets rows drawn from the vectors it receives on a test signal, jittered by
their spread, and the next codebook sees what this one leaves of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch


@dataclass(frozen=True)
class SeedableCodebook:
    """One codebook of a residual stack, as the seeder needs it.

    ``quantize(residual [B, D, T])`` is this codebook's quantized part of ``residual`` (same shape);
    ``project`` maps the residual into the codebook's own space first when it has one (DAC's
    ``in_proj``), also channels first; ``write(rows [size, d])`` stores new entries.
    """

    size: int
    write: Callable[[torch.Tensor], None]
    quantize: Callable[[torch.Tensor], torch.Tensor]
    project: Callable[[torch.Tensor], torch.Tensor] | None = None


def codebook_rows(vectors: torch.Tensor, rows: int, generator: torch.Generator, spread: float = 1.0) -> torch.Tensor:
    """``rows`` entries from ``vectors [N, D]``: drawn with replacement, each plus noise of ``spread``
    times the vectors' per-dimension deviation. A test signal gives fewer vectors than a codebook
    has rows; without the noise their residuals vanish after a few books while other signals' do not."""
    picks = torch.randint(vectors.shape[0], (rows,), generator=generator)
    deviation = vectors.std(dim=0, keepdim=True)
    return vectors[picks] + spread * deviation * torch.randn(rows, vectors.shape[1], generator=generator)


@torch.no_grad()
def seed_residual_codebooks(residual: torch.Tensor, codebooks: Sequence[SeedableCodebook], seed: int = 0,
                            entry_scale: float = 1.0, spread: float = 1.0) -> None:
    """Fill ``codebooks`` in order from ``residual [B, D, T]``, what the first one receives.

    ``entry_scale`` below 1 shortens the entries: a deep stack (Mimi's 32 books) then leaves a
    residual for every book instead of collapsing after a few.
    """
    generator = torch.Generator().manual_seed(seed)
    for codebook in codebooks:
        space = codebook.project(residual) if codebook.project is not None else residual
        vectors = space.transpose(1, 2).reshape(-1, space.shape[1])
        codebook.write(entry_scale * codebook_rows(vectors, codebook.size, generator, spread))
        residual = residual - codebook.quantize(residual)
