"""Matrix products and activations that give a row the same bits however many rows come with it.

Long audio is encoded in chunks (``codecreg.chunking.StagedPlan``), so a frame is computed in
tensors of other lengths than in one pass; the codes stay identical only if no kernel's
result for a row depends on the row count or the row's place. Measured here (MKL sgemm,
torch 2.9, AVX2): a product of 12 rows or more gives each row the same bits as any
larger product, with any row offset and one or two threads; 1, 2, 3, 5, 6, 7, 9, 10 or 11
rows take other kernels and differ in the last bits, so small products are padded to
``MIN_ROWS``. ATen's elementwise kernels run a vector body and a scalar tail over each
thread's share, and ELU's two paths round differently: activations run in place over
buffers whose length gives every thread's share whole vector steps (``vector_buffer``).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

MIN_ROWS = 16
VECTOR_STEP = 64  # floats per step of ATen's unrolled vector loop, AVX-512 included (32), twice over
GRAIN = 32768  # ATen's elementwise grain: fewer elements per thread are not split further


def multiply_into(out: torch.Tensor, a: torch.Tensor, b: torch.Tensor, bias: torch.Tensor | None = None) -> None:
    """``out = bias + a @ b`` with a bias, else ``out += a @ b``; ``out`` and ``a`` are ``[M, .]``."""
    rows = a.shape[0]
    if rows >= MIN_ROWS:
        if bias is None:
            out.addmm_(a, b)
        else:
            torch.addmm(bias, a, b, out=out)
        return
    wide_a = a.new_zeros(MIN_ROWS, a.shape[1])
    wide_a[:rows] = a
    wide_out = out.new_zeros(MIN_ROWS, out.shape[1])
    if bias is None:
        wide_out[:rows] = out
    multiply_into(wide_out, wide_a, b, bias)
    out.copy_(wide_out[:rows])


def product(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` for ``a [M, K]``, row-stable."""
    out = a.new_zeros(a.shape[0], b.shape[1])
    multiply_into(out, a, b)
    return out


def vector_length(numel: int) -> int:
    """``numel`` rounded up so that ATen's even split over the threads it uses gives whole vector steps."""
    threads = torch.get_num_threads()
    length = numel
    while True:
        shares = max(1, min(threads, -(-length // GRAIN)))
        rounded = -(-length // (VECTOR_STEP * shares)) * VECTOR_STEP * shares
        if rounded == length:
            return length
        length = rounded


def vector_buffer(shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    """An uninitialized contiguous tensor of ``shape``, the start of storage ``vector_length`` long."""
    numel = 1
    for size in shape:
        numel *= size
    flat = torch.empty(vector_length(numel), dtype=like.dtype, device=like.device)
    return flat[:numel].view(shape)


def elu_(x: torch.Tensor, alpha: float) -> torch.Tensor:
    """ELU in place; over the whole storage of a ``vector_buffer``, so every element takes the vector path."""
    storage = x.untyped_storage()
    if (x.is_contiguous() and x.storage_offset() == 0
            and storage.nbytes() == vector_length(x.numel()) * x.element_size()):
        F.elu_(x.new_empty(0).set_(storage), alpha)
        return x
    return F.elu_(x, alpha)
