"""A codec's coding through its plan: whole inputs chunk by chunk (``encode_by_plan``,
``decode_by_plan``) and streams of blocks (``encode_stream``, ``decode_stream``).

``CompressionModel``'s default ``encode``/``decode`` and its methods of these names call
them with the model itself,
which they use only through the contract's checks and metadata (``check_audio``,
``check_codes``, ``check_length``, ``check_covered``, ``chunk_seconds``,
``frame_rate``): this module does not import the contract, so the contract can
import it.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import torch

from .plan import DecodeStream, EncodeStream, SegmentedPlan, StagedPlan, chunk_frames


def plan_of(model: Any, method: str) -> StagedPlan | SegmentedPlan:
    """``model.coding_plan()``, or a NotImplementedError saying that ``method`` needs one."""
    plan = model.coding_plan()
    if plan is None:
        name = type(model).__name__
        if method in ("encode", "decode"):
            raise NotImplementedError(f"{name}.{method}: this codec declares no coding plan, so it must implement "
                                      f"{method} itself, or return a plan from coding_plan() (docs/long-audio.md)")
        raise NotImplementedError(f"{name}.{method}: this codec declares no coding plan, so it "
                                  "codes whole inputs only; use encode/decode (docs/long-audio.md)")
    return plan


def encode_by_plan(model: Any, x: torch.Tensor, plan: StagedPlan | SegmentedPlan,
                   whole: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``encode`` through ``plan``, ``model.chunk_seconds`` at a time (``whole``: in one pass). Items
    are coded one at a time, so that an item's codes never depend on its batch (kernels pick
    algorithms by problem size)."""
    chunk = None if whole else chunk_frames(model.chunk_seconds, model.frame_rate)
    codes, scales = [], []
    for item in x.split(1):
        stream = EncodeStream(plan, chunk)
        pairs = stream.finish(item)
        codes.append(torch.cat([c for c, _ in pairs], dim=-1))
        if pairs[0][1] is not None:
            scales.append(torch.cat([s for _, s in pairs], dim=1))
    return torch.cat(codes), torch.cat(scales) if scales else None


def decode_by_plan(model: Any, codes: torch.Tensor, scale: torch.Tensor | None, length: Any,
                   plan: StagedPlan | SegmentedPlan, whole: bool = False) -> torch.Tensor:
    """``decode`` through ``plan``, ``model.chunk_seconds`` at a time (``whole``: in one pass); a
    ``length`` beyond what the codes cover is refused before any work."""
    length = model.check_length(length)
    frames = codes.shape[-1]
    if isinstance(plan, SegmentedPlan):
        counts = plan.layout.frame_counts(frames, length, None if scale is None else scale.shape[-1])
        if scale is not None and scale.shape[-1] != len(counts):
            raise ValueError(f"{type(model).__name__}.decode: these codes hold {len(counts)} segment(s) but "
                             f"scale has {scale.shape[-1]} column(s); pass the scale encode returned with them")
        covered = plan.layout.covered_samples(counts)
    else:
        covered = frames * plan.hop
    model.check_covered(length, covered)
    chunk = None if whole else chunk_frames(model.chunk_seconds, model.frame_rate)
    stream = DecodeStream(plan, chunk, length)
    return torch.cat(stream.finish(codes, scale), dim=-1)


def encode_stream(model: Any, blocks: Iterable[torch.Tensor]) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """Audio blocks ``[B, C, n]`` in, ``(codes [B, K, t], scale)`` out as soon as they are final; the
    blocks' codes put together equal ``encode`` of the whole audio."""
    plan = plan_of(model, "encode_stream")
    chunk = chunk_frames(model.chunk_seconds, model.frame_rate)
    streams: list[EncodeStream] = []
    for block in blocks:
        model.check_audio(block)
        if not streams:
            streams = [EncodeStream(plan, chunk) for _ in range(block.shape[0])]
        if block.shape[0] != len(streams):
            raise ValueError(f"{type(model).__name__}.encode_stream: every block must have the first "
                             f"block's batch size {len(streams)}, got {block.shape[0]}")
        with torch.no_grad():  # not around the yields: the caller's own grad mode holds between blocks
            coded = [stream.feed(item) for stream, item in zip(streams, block.split(1))]
        yield from _joined(coded)
    if not streams:
        raise ValueError(f"{type(model).__name__}.encode_stream got no audio blocks")
    with torch.no_grad():
        coded = [stream.finish() for stream in streams]
    yield from _joined(coded)


def decode_stream(model: Any, blocks: Iterable[Any], length: int | None = None) -> Iterator[torch.Tensor]:
    """Code blocks ``[B, K, t]`` (or ``(codes, scale)`` pairs as ``encode_stream`` gives them) in, audio
    blocks ``[B, C, n]`` out as soon as they are final; put together they equal ``decode`` of all the
    codes, ending at ``length`` samples when given."""
    plan = plan_of(model, "decode_stream")
    stream = DecodeStream(plan, chunk_frames(model.chunk_seconds, model.frame_rate), model.check_length(length))
    for block in blocks:
        codes, scale = block if isinstance(block, tuple) else (block, None)
        model.check_codes(codes)
        with torch.no_grad():
            audio = stream.feed(codes, scale)
        yield from audio
    with torch.no_grad():
        audio = stream.finish()
    yield from audio


def _joined(per_item: list[list[tuple[Any, Any | None]]]) -> Iterator[tuple[Any, Any | None]]:
    """One batch's ``(codes, scale)`` blocks from each item's: the items' streams emit in step."""
    for pairs in zip(*per_item):
        codes = torch.cat([c for c, _ in pairs])
        yield codes, None if pairs[0][1] is None else torch.cat([s for _, s in pairs])
