"""The near-tie rule (``codecreg.testing``) given DAC's quantizer: what tests and the benchmark use
to compare the native codes with the ``dac`` package's.

DAC's residual quantizer does not look up in the latent space: level ``k`` projects the residual
``r`` (``D = 1024`` for the published models) to ``d = 8`` dimensions, ``e = in_proj_k(r)``,
L2-normalizes ``e`` and every entry of its codebook, and picks the entry nearest to ``e / |e|``
(a cosine lookup); the residual then loses the *unnormalized* entry projected back,
``r -= out_proj_k(codebook_k[i])``. So the rule's inputs are, level by level: the normalized
projection of the residual our codes leave, and the normalized codebook. Each level is checked
with ``count_near_tie_differences`` on its own (one codebook), in float64; after a frame first
differs, its later levels are compared with the entries nearest to our residual, not with the
reference's codes (which follow the reference's own residual). For unit vectors
``|residual|^2 + |entry|^2 = 2``: the margin is 2e-4 of squared distance, 1e-4 of cosine.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from codecreg.testing import NEAR_TIE_FRACTION, NEAR_TIE_MARGIN, count_near_tie_differences, near_tie_allowance


def count_dac_near_ties(codes: torch.Tensor, reference_codes: torch.Tensor, reference_latent: torch.Tensor,
                        model, margin: float = NEAR_TIE_MARGIN) -> int:
    """How many of ``codes [B, K, T']`` differ from ``reference_codes`` at near-ties (others raise).

    ``reference_latent``: what the reference's quantizer received, ``[B, D, T']``; ``model``: a
    ``NativeDac`` (or anything with ``quantizer.quantizers[k].{in_proj, out_proj, codebook}``) holding
    the same weights.
    """
    if codes.shape != reference_codes.shape:
        raise AssertionError(f"codes {tuple(codes.shape)} and reference codes {tuple(reference_codes.shape)} differ in shape")
    batch, levels, frames = codes.shape
    residual = reference_latent.detach().double().transpose(1, 2).reshape(batch * frames, -1)
    ours = codes.transpose(1, 2).reshape(batch * frames, levels)
    theirs = reference_codes.transpose(1, 2).reshape(batch * frames, levels)
    agreed = torch.ones(batch * frames, dtype=torch.bool)
    near_ties = 0
    for k, quantizer in enumerate(model.quantizer.quantizers[:levels]):
        w_in, b_in = _matrix(quantizer.in_proj)
        w_out, b_out = _matrix(quantizer.out_proj)
        codebook = quantizer.codebook.weight.detach().double()
        unit_book = F.normalize(codebook)
        unit = F.normalize(residual @ w_in.t() + b_in)
        nearest = (unit @ unit_book.t()).argmax(1)
        choice = torch.where(agreed, theirs[:, k], nearest)
        near_ties += count_near_tie_differences(ours[:, k].view(batch, 1, frames), choice.view(batch, 1, frames),
                                                unit.view(batch, frames, -1).transpose(1, 2), [unit_book], margin)
        agreed &= ours[:, k] == choice
        residual = residual - (codebook[ours[:, k]] @ w_out.t() + b_out)
    return near_ties


def assert_dac_codes_match_up_to_near_ties(codes, reference_codes, reference_latent, model,
                                           max_fraction: float = NEAR_TIE_FRACTION) -> int:
    """``count_dac_near_ties``, and a count within ``near_tie_allowance`` (the kit's rule)."""
    near_ties = count_dac_near_ties(codes, reference_codes, reference_latent, model)
    allowed = near_tie_allowance(codes.numel(), max_fraction)
    if near_ties > allowed:
        raise AssertionError(f"{near_ties} of {codes.numel()} codes differ from the reference's at near-ties, "
                             f"more than {allowed} (what a rate of {max_fraction:g} allows)")
    return near_ties


def _matrix(layer) -> tuple[torch.Tensor, torch.Tensor]:
    """A 1x1 convolution's weight ``[out, in]`` and bias, float64."""
    return layer.weight.detach()[:, :, 0].double(), layer.bias.detach().double()
