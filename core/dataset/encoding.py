"""One input's codes: the single place where a dataset item is read and encoded.

``encode_item`` reads the item (a file, a segment of one, or the bytes of a
Parquet row) converted to the codec's rate and channels, and encodes it alone, so
each row of a dataset equals ``codec.encode`` of that input. ``read_item`` and
``encode_audio`` are its two halves, so that an engine can read the next input
while the codec encodes this one. A file longer than ``STREAM_SECONDS`` is not
read ahead: its blocks are read while ``codec.encode_stream`` encodes them, so
memory does not grow with the file (the long-audio path, docs/long-audio.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from ..errors import CodecregError
from .inputs import Item

#: files longer than this (seconds) are read block by block while they are encoded
STREAM_SECONDS = 60.0


class UnusableInputError(CodecregError, ValueError):
    """An input that reads as empty or holds NaN or infinite samples."""


@dataclass(frozen=True)
class EncodedItem:
    """``codes [K, T']`` of one input, its ``length`` in samples at the codec's rate, and the source's format."""

    codes: np.ndarray
    length: int
    source_rate: int
    source_channels: int


@dataclass(frozen=True)
class Source:
    """An input's audio at the codec's rate and channels, as ``[C, n]`` blocks: read already (a list)
    or read as it is iterated (``AudioBlocks``)."""

    blocks: Iterable[np.ndarray]
    source_rate: int
    source_channels: int


def encode_item(codec: Any, item: Item, device: Any = "cpu") -> EncodedItem:
    """Read ``item``, convert it to ``codec``'s rate and channels and encode it on its own."""
    return encode_audio(codec, item, read_item(item, codec), device)


def encode_audio(codec: Any, item: Item, source: Source, device: Any = "cpu") -> EncodedItem:
    """The codes of ``source`` (``read_item(item, codec)``'s result)."""
    import torch

    length = 0

    def tensors():
        nonlocal length
        for block in source.blocks:
            if not np.isfinite(block).all():
                raise UnusableInputError(f"{item.source} holds NaN or infinite samples: repair or drop it")
            length += block.shape[-1]
            yield torch.from_numpy(np.ascontiguousarray(block, dtype=np.float32))[None].to(device)

    if isinstance(source.blocks, list):  # read whole already: encode it whole
        blocks = list(tensors())
        if length:
            with torch.no_grad():
                codes = codec.encode(torch.cat(blocks, dim=-1))[0]
    else:
        blocks = [codes for codes, _ in codec.encode_stream(_nonempty(tensors(), item))]
        codes = torch.cat(blocks, dim=-1)
    if length == 0:
        raise UnusableInputError(f"{item.source} holds no samples (after start/end): nothing to encode")
    return EncodedItem(codes[0].cpu().numpy(), length, int(source.source_rate), int(source.source_channels))


def read_item(item: Item, codec: Any) -> Source:
    """``item``'s audio converted to ``codec``'s rate and channels (with ``codec.resampler``): read now, unless it is a file
    longer than ``STREAM_SECONDS`` that ``codec`` can encode as a stream."""
    from ..audio.reading.blocks import read_blocks
    from ..audio.reading.whole_file import convert_audio

    resampler = getattr(codec, "resampler", "soxr")
    if item.row is not None:
        wav, rate = _read_bytes(_parquet_audio_bytes(item), item)
        return Source([convert_audio(wav, rate, codec.sample_rate, codec.channels, resampler)], rate, wav.shape[0])
    blocks = read_blocks(item.path, codec.sample_rate, codec.channels, start=item.start, end=item.end,
                         allow_end_past_file=True, resampler=resampler)
    short = blocks.duration is not None and blocks.duration <= STREAM_SECONDS
    chosen = list(blocks) if short or codec.coding_plan() is None else blocks
    return Source(chosen, blocks.source_rate, blocks.source_channels)


def read_source_audio(item: Item) -> tuple[np.ndarray, int]:
    """``(wav [C, T] float32, rate)``: ``item``'s audio (its segment, its Parquet row's bytes) at its own rate."""
    from ..audio.reading.blocks import read_blocks

    if item.row is not None:
        return _read_bytes(_parquet_audio_bytes(item), item)
    blocks = read_blocks(item.path, None, None, start=item.start, end=item.end, allow_end_past_file=True)
    parts = list(blocks)
    wav = np.concatenate(parts, axis=-1) if parts else np.zeros((blocks.source_channels, 0), np.float32)
    return wav, int(blocks.source_rate)


def _nonempty(blocks: Iterable[Any], item: Item) -> Iterable[Any]:
    """``blocks``, refusing an input with no samples before a stream sees it."""
    any_block = False
    for block in blocks:
        any_block = True
        yield block
    if not any_block:
        raise UnusableInputError(f"{item.source} holds no samples (after start/end): nothing to encode")


def _parquet_audio_bytes(item: Item) -> bytes:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(item.path)
    row = item.row
    for group in range(parquet.num_row_groups):
        rows = parquet.metadata.row_group(group).num_rows
        if row < rows:
            cell = parquet.read_row_group(group, columns=[item.column]).column(0)[row].as_py()
            break
        row -= rows
    else:
        raise UnusableInputError(f"{item.source}: the file has fewer rows than when the job started")
    if not cell or not cell.get("bytes"):
        raise UnusableInputError(f"{item.source}: the audio cell holds no bytes (only a path is not supported: "
                                 "embed the audio, e.g. with datasets' cast_column(..., Audio(decode=False)))")
    return cell["bytes"]


def _read_bytes(data: bytes, item: Item) -> tuple[np.ndarray, int]:
    import soundfile

    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except soundfile.LibsndfileError as error:
        raise UnusableInputError(f"cannot read the audio bytes of {item.source} ({error}); "
                                 "libsndfile reads wav, flac, ogg and mp3") from None
    return np.ascontiguousarray(samples.T), rate


def failure_reason(error: BaseException) -> str:
    """How the errors table states why an input failed."""
    return f"{type(error).__name__}: {error}"
