"""Parity with a reference encoder up to near-ties: codes may differ only where two codebook
entries are equally near within float32 rounding (docs/plugins.md says why the margin is 1e-4)."""

from __future__ import annotations

import math

import torch

from .contract import _expect


#: how far apart two entries' squared distances may lie, relative to the size of the numbers they are
#: computed from (|residual|^2 + |entry|^2), for the two to count as a near-tie (docs/plugins.md says why)
NEAR_TIE_MARGIN = 1e-4
#: the rate at which codes may differ from the reference's at near-ties
NEAR_TIE_FRACTION = 1e-4
#: how rarely a sample from an encoder within that rate may still exceed the allowance
NEAR_TIE_FALSE_ALARM = 1e-3


def count_near_tie_differences(codes: torch.Tensor, reference_codes: torch.Tensor, latent: torch.Tensor,
                               codebooks, margin: float = NEAR_TIE_MARGIN) -> int:
    """How many of ``codes`` differ from the reference's at near-ties; any other difference raises.

    ``codes``, ``reference_codes``: ``[B, K, T]``; ``latent``: the reference's latent ``[B, D, T]``
    (what its quantizer received); ``codebooks``: one ``[N, D]`` tensor per codebook, in order.
    Each frame is walked codebook by codebook on the residual that ``codes`` leave, in float64.
    While the frame agrees, the reference's choice is its own code; after a difference, the entry
    nearest to our residual (a residual quantizer's later codes follow its earlier ones). A code
    that differs from that choice is a near-tie when the squared distance to it exceeds the distance
    to the reference's choice by at most ``margin`` times ``|residual|^2 + |choice|^2``: float32
    rounding of a distance scales with those norms, not with the distance, which may be tiny.
    """
    if codes.shape != reference_codes.shape:
        raise AssertionError(f"codes {tuple(codes.shape)} and reference codes {tuple(reference_codes.shape)} "
                             "must have the same shape")
    batch, books, frames = codes.shape
    if tuple(latent.shape[::2]) != (batch, frames) or len(codebooks) < books:
        raise AssertionError(f"the latent must be [batch={batch}, D, frames={frames}], found {tuple(latent.shape)}, "
                             f"and give {books} codebooks, found {len(codebooks)}")
    residual = latent.permute(0, 2, 1).reshape(batch * frames, -1).double()
    ours = codes.permute(0, 2, 1).reshape(batch * frames, books)
    theirs = reference_codes.permute(0, 2, 1).reshape(batch * frames, books).to(ours.device)
    agreed = torch.ones(batch * frames, dtype=torch.bool, device=ours.device)
    near_ties = 0
    for k in range(books):
        book = codebooks[k].double().to(residual.device)
        distances = residual.pow(2).sum(1, keepdim=True) - 2 * residual @ book.t() + book.pow(2).sum(1)
        choice = torch.where(agreed, theirs[:, k], distances.argmin(1))
        differs = ours[:, k] != choice
        if bool(differs.any()):
            to_ours = distances.gather(1, ours[:, k:k + 1])[:, 0]
            to_choice = distances.gather(1, choice[:, None])[:, 0]
            scale = residual.pow(2).sum(1) + book.pow(2).sum(1)[choice]
            gap = (to_ours - to_choice) / scale.clamp_min(torch.finfo(torch.float64).tiny)
            far = differs & (gap > margin)
            if bool(far.any()):
                row = int(far.nonzero()[0, 0])
                raise AssertionError(
                    f"{int(far.sum())} code(s) of codebook {k} differ from the reference's beyond a near-tie: "
                    f"item {row // frames}, frame {row % frames}: ours {int(ours[row, k])}, the reference's "
                    f"{int(choice[row])}, whose squared distance is {float(to_choice[row]):.6g} against "
                    f"{float(to_ours[row]):.6g} (gap {float(gap[row]):.3g} of |residual|^2 + |entry|^2 > "
                    f"margin {margin:g})")
            near_ties += int(differs.sum())
            agreed &= ~differs
        residual = residual - book[ours[:, k]]
    return near_ties


def near_tie_allowance(codes: int, max_fraction: float = NEAR_TIE_FRACTION,
                       false_alarm: float = NEAR_TIE_FALSE_ALARM) -> int:
    """The most near-ties ``codes`` codes may show from an encoder whose rate is ``max_fraction``.

    Near-ties are rare independent events, so their count on a signal is Poisson with mean
    ``max_fraction * codes``: the allowance is the count that mean exceeds with probability
    below ``false_alarm``. A plain ``ceil(max_fraction * codes)`` failed honest encoders on
    short signals: transformers' own float32 EnCodec 24 kHz showed 4 of 24,032 codes at
    near-ties against its float64 run, where that bound allows 3 (docs/plugins.md).
    """
    mean = max_fraction * codes
    if mean <= 0:
        return 0
    count, term = 0, math.exp(-mean)
    below = term
    while 1.0 - below >= false_alarm:
        count += 1
        term *= mean / count
        below += term
    return count


def assert_codes_match_up_to_near_ties(codes: torch.Tensor, reference_codes: torch.Tensor, latent: torch.Tensor,
                                       codebooks, margin: float = NEAR_TIE_MARGIN,
                                       max_fraction: float = NEAR_TIE_FRACTION) -> int:
    """``count_near_tie_differences``, and a count within ``near_tie_allowance``: what a rate of
    ``max_fraction`` near-ties gives on this many codes; returns the count, for the test to report."""
    near_ties = count_near_tie_differences(codes, reference_codes, latent, codebooks, margin)
    allowed = near_tie_allowance(codes.numel(), max_fraction)
    _expect(near_ties <= allowed, f"{near_ties} of {codes.numel()} codes differ from the reference's at near-ties, "
                                  f"more than {allowed} (what a rate of {max_fraction:g} gives in all but "
                                  f"{NEAR_TIE_FALSE_ALARM:g} of such signals): the encoder computes too differently "
                                  "from the reference")
    return near_ties
