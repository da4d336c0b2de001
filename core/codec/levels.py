"""Multi-rate codes: a codec whose levels run at several frame rates, packed into one grid.

SNAC codes audio at 3 or 4 levels, each at twice the frame rate of the one before
(12, 23 and 47 frames per second at 24 kHz). codecreg keeps one shape for codes
everywhere (``encode``, token files, dataset shards, ``compare``): ``[B, K, T']``
at one frame rate. A multi-rate codec packs its levels into that grid at its
*coarsest* rate, and declares how (``CodeLevels``):

- level ``i`` runs at ``frame_rates[i] = frame_rates[0] x s_i`` (``s_i``, its
  stride, a whole number) with ``codebooks[i]`` codebooks, so it holds
  ``[B, K_i, T' x s_i]`` codes for ``T'`` coarse frames;
- the grid has ``rows = sum(K_i x s_i)`` rows, level by level, coarsest first;
  within a level, codebook by codebook, and within a codebook the ``s_i``
  sub-steps of a coarse frame in time order: row ``offset_i + k x s_i + j`` of
  coarse frame ``t`` is ``level_i[b, k, t x s_i + j]``.

For SNAC 24 kHz (strides 1, 2, 4, one codebook each) a coarse frame is 7 rows:
``[l0[t], l1[2t], l1[2t+1], l2[4t], l2[4t+1], l2[4t+2], l2[4t+3]]``. ``frame_rate``,
``num_codebooks`` and ``bitrate`` are those of the grid (7 x 12 bits x 11.72 Hz =
0.98 kbps, the published figure). ``unpack`` gives the levels back as a list of
``[..., K_i, T_i]`` arrays, ``pack`` makes the grid of them; both take torch
tensors or numpy arrays, with any leading axes.

A single-rate codec declares nothing: its ``code_levels`` is None. This module
imports neither torch nor numpy.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class CodeLevels:
    """How a multi-rate codec's levels are packed into its ``[B, rows, T']`` grid (see the module)."""

    #: frames per second of each level, coarsest first; each a whole multiple of the first
    frame_rates: tuple[float, ...]
    #: codebooks of each level (empty: one each)
    codebooks: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        rates = tuple(float(rate) for rate in self.frame_rates)
        books = tuple(self.codebooks) or (1,) * len(rates)
        object.__setattr__(self, "frame_rates", rates)
        object.__setattr__(self, "codebooks", books)
        if len(rates) < 2:
            raise ValueError(f"code levels: a multi-rate codec has at least 2 levels, got frame rates {rates}; "
                             "a single-rate codec declares no levels")
        if not all(math.isfinite(rate) and rate > 0 for rate in rates):
            raise ValueError(f"code levels: frame rates must be positive numbers, got {rates}")
        if len(books) != len(rates) or any(isinstance(k, bool) or not isinstance(k, int) or k < 1 for k in books):
            raise ValueError(f"code levels: codebooks must give a positive int per level ({len(rates)}), got {books}")
        for rate in rates:
            ratio = rate / rates[0]
            if ratio < 1 - 1e-9 or abs(ratio - round(ratio)) > 1e-6 * ratio:
                raise ValueError(f"code levels: every frame rate must be a whole multiple of the first "
                                 f"({rates[0]:g}, the coarsest), got {rates}")

    @property
    def strides(self) -> tuple[int, ...]:
        """How many frames each level has per coarse frame (1 for the first)."""
        return tuple(round(rate / self.frame_rates[0]) for rate in self.frame_rates)

    @property
    def rows(self) -> int:
        """Rows of the packed grid: ``sum(K_i x s_i)``; the codec's ``total_codebooks``."""
        return sum(k * s for k, s in zip(self.codebooks, self.strides))

    @property
    def boundaries(self) -> tuple[int, ...]:
        """Row counts that end on a level: the first ``n`` levels fill rows ``0 .. boundaries[n - 1]``."""
        ends, total = [], 0
        for k, s in zip(self.codebooks, self.strides):
            total += k * s
            ends.append(total)
        return tuple(ends)

    def level_rows(self, level: int) -> slice:
        """The grid rows of ``level``."""
        start = ([0, *self.boundaries])[level]
        return slice(start, self.boundaries[level])

    def levels_in(self, rows: int) -> int:
        """How many whole levels ``rows`` grid rows hold; other counts are refused."""
        if rows not in self.boundaries:
            raise ValueError(f"{rows} rows cut through a level: these codes' levels end at rows "
                             f"{', '.join(map(str, self.boundaries))} ({self.describe()})")
        return self.boundaries.index(rows) + 1

    def unpack(self, grid: Any) -> list[Any]:
        """``[..., rows, T']`` (the first whole levels' rows, or all) -> one ``[..., K_i, T' x s_i]`` per level."""
        shape = tuple(grid.shape)
        if len(shape) < 2:
            raise ValueError(f"multi-rate codes must be shaped [..., rows, frames], got {shape}")
        lead, frames = shape[:-2], shape[-1]
        levels = []
        for index in range(self.levels_in(shape[-2])):
            k, s = self.codebooks[index], self.strides[index]
            rows = grid[..., self.level_rows(index), :]
            # [..., K * s, T'] -> [..., K, s, T'] -> [..., K, T', s] -> [..., K, T' * s]
            levels.append(rows.reshape(*lead, k, s, frames).swapaxes(-1, -2).reshape(*lead, k, frames * s))
        return levels

    def pack(self, levels: Sequence[Any]) -> Any:
        """One ``[..., K_i, T' x s_i]`` per level (the first levels, or all) -> the ``[..., rows, T']`` grid."""
        if not 1 <= len(levels) <= len(self.frame_rates):
            raise ValueError(f"pack expects 1 to {len(self.frame_rates)} levels, got {len(levels)}")
        lead, frames, parts = tuple(levels[0].shape[:-2]), None, []
        for index, codes in enumerate(levels):
            k, s = self.codebooks[index], self.strides[index]
            shape = tuple(codes.shape)
            if frames is None:
                frames = shape[-1] // s if shape[-1] % s == 0 else -1
            if shape != (*lead, k, frames * s) or frames < 1:
                raise ValueError(f"level {index} ({self.frame_rates[index]:g} frames/s) must be shaped "
                                 f"[..., {k}, T' x {s}] with level 0's T' frames, got {shape} "
                                 f"(level 0: {tuple(levels[0].shape)})")
            parts.append(codes.reshape(*lead, k, frames, s).swapaxes(-1, -2).reshape(*lead, k * s, frames))
        return _concatenate(parts)

    def describe(self) -> str:
        """One line: ``3 levels at 11.72, 23.44, 46.88 frames/s (1, 1, 1 codebooks), 7 rows a frame``."""
        rates = ", ".join(f"{rate:.4g}" for rate in self.frame_rates)
        books = ", ".join(map(str, self.codebooks))
        return f"{len(self.frame_rates)} levels at {rates} frames/s ({books} codebooks), {self.rows} rows a frame"

    def to_json(self) -> str:
        return json.dumps({"frame_rates": list(self.frame_rates), "codebooks": list(self.codebooks)})

    @classmethod
    def from_json(cls, text: str) -> "CodeLevels":
        data = json.loads(text)
        return cls(tuple(data["frame_rates"]), tuple(data["codebooks"]))

    def matches(self, other: "CodeLevels | None") -> bool:
        """The same levels (frame rates within float noise, the same codebooks)."""
        return (other is not None and self.codebooks == other.codebooks
                and len(self.frame_rates) == len(other.frame_rates)
                and all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(self.frame_rates, other.frame_rates)))


def check_levels_fit(levels: Any, metadata: Any, owner: str) -> None:
    """Refuse levels that do not describe ``metadata``'s grid: the coarsest level's frame rate is the
    codec's ``frame_rate``, and the grid's rows are its ``total_codebooks``."""
    if not isinstance(levels, CodeLevels):
        raise ValueError(f"{owner}.set_code_levels expects a codecreg.CodeLevels, got {type(levels).__name__}")
    if not math.isclose(levels.frame_rates[0], metadata.frame_rate, rel_tol=1e-6):
        raise ValueError(f"{owner}: frame_rate {metadata.frame_rate:g} must be the coarsest level's "
                         f"({levels.frame_rates[0]:g}): multi-rate codes are packed at the coarsest rate")
    if levels.rows != metadata.total_codebooks:
        raise ValueError(f"{owner}: total_codebooks {metadata.total_codebooks} must be the packed grid's rows, "
                         f"{levels.rows} ({levels.describe()})")


def _concatenate(parts: list[Any]) -> Any:
    if hasattr(parts[0], "detach"):  # torch tensors: imported only when given them
        import torch

        return torch.cat(parts, dim=-2)
    import numpy as np

    return np.concatenate(parts, axis=-2)


__all__ = ["CodeLevels", "check_levels_fit"]
