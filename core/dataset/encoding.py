"""One input's codes: the single place where a dataset item is read and encoded.

``encode_item`` reads the item (a file, a segment of one, or the bytes of a
Parquet row) with codecreg's audio reading, converts it to the codec's rate and
channels and calls ``codec.encode`` on it alone, so each row of a dataset equals
``codec.encode`` of that input. ``read_item`` and ``encode_audio`` are its two
halves, so that an engine can read the next input while the codec encodes this
one; reading long audio with bounded memory will replace these bodies, not
their callers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import CodecregError
from .inputs import Item


class UnusableInputError(CodecregError, ValueError):
    """An input that reads as empty or holds NaN or infinite samples."""


@dataclass(frozen=True)
class EncodedItem:
    """``codes [K, T']`` of one input, its ``length`` in samples at the codec's rate, and the source's format."""

    codes: np.ndarray
    length: int
    source_rate: int
    source_channels: int


def encode_item(codec: Any, item: Item, device: Any = "cpu") -> EncodedItem:
    """Read ``item``, convert it to ``codec``'s rate and channels and encode it on its own."""
    return encode_audio(codec, item, read_item(item), device)


def encode_audio(codec: Any, item: Item, source: tuple[np.ndarray, int], device: Any = "cpu") -> EncodedItem:
    """The codes of ``source`` (``read_item(item)``'s result)."""
    import torch

    from ..audio.reading import convert_audio

    wav, rate = source
    if wav.shape[-1] == 0:
        raise UnusableInputError(f"{item.source} holds no samples (after start/end): nothing to encode")
    if not np.isfinite(wav).all():
        raise UnusableInputError(f"{item.source} holds NaN or infinite samples: repair or drop it")
    converted = convert_audio(wav, rate, codec.sample_rate, codec.channels)
    audio = torch.from_numpy(np.ascontiguousarray(converted, dtype=np.float32))[None].to(device)
    with torch.no_grad():
        codes, _ = codec.encode(audio)
    return EncodedItem(codes[0].cpu().numpy(), int(audio.shape[-1]), int(rate), int(wav.shape[0]))


def read_item(item: Item) -> tuple[np.ndarray, int]:
    """``(wav [C, T] float32, sample_rate)`` of ``item`` at its own rate and channels."""
    from ..audio.reading import audio_read

    if item.row is not None:
        return _read_bytes(_parquet_audio_bytes(item), item)
    if item.start is None and item.end is None:
        return audio_read(item.path)
    start = item.start or 0.0
    duration = -1.0 if item.end is None else item.end - start
    return audio_read(item.path, seek_time=start, duration=duration)


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
