"""Row-stable products and activations: a row's bits do not depend on how many rows come with
it, which keeps chunked encodes identical to one pass."""

from __future__ import annotations

import torch

from codecreg_encodec.row_stable import MIN_ROWS, elu_, multiply_into, product, vector_buffer, vector_length


def test_a_row_gets_the_same_bits_in_a_product_of_any_size():
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(3000, 256, generator=generator)
    b = torch.randn(256, 128, generator=generator)
    bias = torch.randn(128, generator=generator)
    whole = torch.empty(3000, 128)
    multiply_into(whole, a, b, bias)
    multiply_into(whole, a.flip(0), b)  # the accumulating form too
    for start, rows in [(0, 1), (5, 3), (17, 7), (100, 11), (333, 1333), (2999, 1)]:
        part = torch.empty(rows, 128)
        multiply_into(part, a[start:start + rows], b, bias)
        multiply_into(part, a.flip(0)[start:start + rows], b)
        assert torch.equal(part, whole[start:start + rows]), (start, rows)
    assert torch.equal(product(a[:2], b), product(a, b)[:2])
    assert MIN_ROWS >= 12  # measured: fewer rows take other kernels


def test_elu_gives_every_element_the_same_bits_at_any_length():
    values = 3 * torch.randn(100_000, generator=torch.Generator().manual_seed(0))
    whole = vector_buffer(tuple(values.shape), values)
    whole.copy_(values)
    elu_(whole, 1.0)
    plain_differs = 0  # what the vector buffers prevent: ATen's scalar tail rounds otherwise
    for start in range(8):
        for length in (7, 15, 33, 70001):
            part = vector_buffer((length,), values)
            part.copy_(values[start:start + length])
            assert torch.equal(elu_(part, 1.0), whole[start:start + length]), (start, length)
            plain = torch.nn.functional.elu(values[start:start + length].clone())
            plain_differs += int((plain != whole[start:start + length]).sum())
    assert plain_differs > 0, "plain F.elu gave every slice the same bits: this check shows nothing here"
    assert torch.allclose(whole, torch.nn.functional.elu(values), atol=1e-6)


def test_vector_buffers_cover_whole_vector_steps_per_thread():
    for numel in (1, 63, 64, 32767, 32769, 100_000, 10_000_001):
        length = vector_length(numel)
        shares = max(1, min(torch.get_num_threads(), -(-length // 32768)))
        assert length >= numel and length % (64 * shares) == 0
        assert vector_buffer((numel,), torch.zeros(0)).untyped_storage().nbytes() == 4 * length
