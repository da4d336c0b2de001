"""The contract kit's near-tie rule: codes may differ from a reference's only where the
reference's distances to both codes are within a small relative margin."""

from __future__ import annotations

import pytest
import torch

from codecreg.testing import assert_codes_match_up_to_near_ties, count_near_tie_differences, near_tie_allowance


def two_books():
    """Codebook 0 has entries at x = +1 and x = -1; frame 0 lies at x = 1e-6, a near-tie."""
    first = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 5.0]])
    second = torch.tensor([[0.0, 0.1], [0.0, -0.1], [0.5, 0.0], [-0.5, 0.0]])
    latent = torch.tensor([[[1e-6, 0.9, -0.8], [0.0, 0.1, 0.0]]])  # [B=1, D=2, T=3]
    return latent, [first, second]


def test_equal_codes_have_no_near_ties():
    latent, books = two_books()
    codes = torch.tensor([[[0, 0, 1], [3, 0, 2]]])
    assert count_near_tie_differences(codes, codes.clone(), latent, books) == 0


def test_a_difference_at_a_near_tie_is_counted_and_later_codes_follow_our_choice():
    latent, books = two_books()
    reference = torch.tensor([[[0, 0, 1], [3, 0, 2]]])  # frame 0: +1 entry, residual -1 -> entry at x = -0.5
    ours = torch.tensor([[[1, 0, 1], [2, 0, 2]]])       # frame 0: -1 entry, residual +1 -> entry at x = +0.5
    assert count_near_tie_differences(ours, reference, latent, books) == 1
    # keeping the reference's second code after our first is no near-tie: that residual is +1
    with pytest.raises(AssertionError, match="codebook 1 differ .* beyond a near-tie: item 0, frame 0"):
        count_near_tie_differences(torch.tensor([[[1, 0, 1], [3, 0, 2]]]), reference, latent, books)


def test_a_difference_away_from_a_tie_is_refused_with_where_and_by_how_much():
    latent, books = two_books()
    reference = torch.tensor([[[0, 0, 1], [3, 0, 2]]])
    ours = torch.tensor([[[0, 1, 1], [3, 0, 2]]])  # frame 1 at x = 0.9 is nowhere near the -1 entry
    with pytest.raises(AssertionError, match=r"codebook 0 .* frame 1: ours 1, the reference's 0.*gap 1.98 of \|residual\|\^2"):
        count_near_tie_differences(ours, reference, latent, books)
    # a wide enough margin accepts it, and then our second code is compared with the entry nearest
    # to what our first one left (1.9, 0.1): entry 2, not our 0, so two codes are counted
    assert count_near_tie_differences(ours, reference, latent, books, margin=1e3) == 2


def test_the_number_of_near_ties_is_bounded():
    latent, books = two_books()
    reference = torch.tensor([[[0, 0, 1], [3, 0, 2]]])
    ours = torch.tensor([[[1, 0, 1], [2, 0, 2]]])
    assert assert_codes_match_up_to_near_ties(ours, reference, latent, books, max_fraction=1 / 6) == 1
    with pytest.raises(AssertionError, match="1 of 6 codes differ from the reference's at near-ties, more than 0"):
        assert_codes_match_up_to_near_ties(ours, reference, latent, books, max_fraction=0.0)
    with pytest.raises(AssertionError, match="1 of 6 codes .* more than 0"):  # a mean of 6e-4: 0 in 999 of 1000
        assert_codes_match_up_to_near_ties(ours, reference, latent, books, max_fraction=1e-4)


def test_the_allowance_is_what_the_rate_gives_in_all_but_one_signal_in_a_thousand():
    """A Poisson count: EnCodec 24 kHz's 24,032 codes at 1e-4 (a mean of 2.4) allow 8, not ceil(2.4) = 3,
    which transformers' own float32 encoder exceeded against its float64 run (4)."""
    assert near_tie_allowance(24032) == 8
    assert near_tie_allowance(2004) == 3  # a mean of 0.2: 3 or more 1.1 times in 1000
    assert near_tie_allowance(0) == 0 and near_tie_allowance(10**6, max_fraction=0.0) == 0
    allowance = near_tie_allowance(360000)  # a mean of 36: the bound tightens towards the rate on long signals
    assert 36 < allowance < 1.6 * 36


def test_mismatched_shapes_are_refused():
    latent, books = two_books()
    codes = torch.zeros(1, 2, 3, dtype=torch.long)
    with pytest.raises(AssertionError, match="same shape"):
        count_near_tie_differences(codes, codes[..., :2], latent, books)
    with pytest.raises(AssertionError, match="frames=3"):
        count_near_tie_differences(codes, codes, latent[..., :2], books)


def test_a_tie_between_two_very_near_entries_is_a_near_tie():
    """Distances to entries almost on the latent are tiny, and their ratio says nothing about rounding:
    the margin is relative to the norms the distances are computed from (observed: EnCodec 24 kHz, 60 s)."""
    latent = torch.tensor([[[1.0]]], dtype=torch.float64)
    books = [torch.tensor([[1.0 + 1e-6], [1.0 - 1.2e-6]], dtype=torch.float64)]
    assert count_near_tie_differences(torch.tensor([[[1]]]), torch.tensor([[[0]]]), latent, books) == 1
