"""Scale-invariant signal-to-distortion ratio (Le Roux et al., 2019), in dB.

The optimal scale of the reference is constrained to be non-negative: a codec
that inverts polarity cannot be mixed back with its input, so a sign-flipped
reconstruction scores as badly as unrelated noise instead of as a perfect one.
Scores are floored at ``FLOOR_DB`` (-100 dB), where anti-correlated output
lands (its target share is zero). Channels are scored as one signal, as in
DAC's ``SISDRLoss``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

EPS = 1e-8
FLOOR_DB = -100.0


def si_sdr(reference: np.ndarray, estimate: np.ndarray, sample_rate: int | None = None) -> float:
    """SI-SDR of ``estimate`` against ``reference`` (same shape), in dB; higher is better."""
    reference = np.asarray(reference, dtype=np.float64).reshape(-1)
    estimate = np.asarray(estimate, dtype=np.float64).reshape(-1)
    if reference.shape != estimate.shape:
        raise ValueError(f"si_sdr needs signals of equal size, got {reference.size} and {estimate.size} samples")
    reference = reference - reference.mean()
    estimate = estimate - estimate.mean()
    scale = max(float(estimate @ reference), 0.0) / (float(reference @ reference) + EPS)
    target = scale * reference
    residual = estimate - target
    return max(float(10.0 * np.log10((target @ target + EPS) / (residual @ residual + EPS))), FLOOR_DB)


def build() -> Callable[[np.ndarray, np.ndarray, int | None], float]:
    return si_sdr
