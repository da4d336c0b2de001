"""One file at a time: audio file -> token file (``encode_file``) and token file -> audio file (``decode_file``).

Both stream for a codec with a coding plan, so memory does not grow with the file:
audio is read in blocks (``read_blocks``) and fed to ``codec.encode_stream``; codes
are fed to ``codec.decode_stream`` in blocks whose audio goes straight to
``audio_write_stream``. Only the codes, small beside the audio, are whole in memory.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Iterator

from ..codec.encode_only import check_decodable
from ..errors import CodecregError
from .token_file import TokenFile, check_codec_matches, load_codes, save_codes


#: seconds of audio read, or of codes decoded, at a time
BLOCK_SECONDS = 10.0


def encode_file(path: str | Path, codec: Any, output: str | Path, device: Any = "cpu",
                on_seconds: Callable[[float, float | None], None] | None = None) -> Path:
    """Read ``path`` converted to the codec's rate and channels (with ``codec.resampler``), encode it and save the token file
    ``output``. ``on_seconds(s, total)`` hears of each ``s`` seconds of the file's ``total`` encoded."""
    import torch

    from ..audio.reading.blocks import read_blocks

    blocks = read_blocks(path, codec.sample_rate, codec.channels, block_seconds=BLOCK_SECONDS,
                         resampler=getattr(codec, "resampler", "soxr"))
    tensors = (_checked_block(block, path, device, on_seconds, codec.sample_rate, blocks.duration)
               for block in blocks)
    length = 0
    if codec.coding_plan() is None:
        audio = torch.cat(list(tensors), dim=-1)
        length = audio.shape[-1]
        with torch.no_grad():
            codes, scale = codec.encode(audio)
    else:
        def counted():
            nonlocal length
            for block in tensors:
                length += block.shape[-1]
                yield block
        pairs = list(codec.encode_stream(counted()))
        codes = torch.cat([c for c, _ in pairs], dim=-1)
        scale = None if pairs[0][1] is None else torch.cat([s for _, s in pairs], dim=-1)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    return save_codes(output, codes, codec, length, scale)


def decode_file(path: str | Path, output_stem: str | Path, codecs: dict[str, Any] | None = None,
                device: Any = "cpu", codec: Any | None = None, trust_codec_source: bool = False,
                on_seconds: Callable[[float, float | None], None] | None = None, **write_options: Any) -> list[Path]:
    """Decode the token file ``path`` and write it with ``audio_write_stream(output_stem, ...)``.

    ``codec`` decodes every file (checked against each file's geometry) instead of
    the codec the file names; ``codecs`` caches codecs built by the files' names
    across calls; ``trust_codec_source`` allows a name that is a path or a source
    (see ``TokenFile.load_codec``). A file holding a batch of B > 1 items is
    written as ``output_stem_0``, ``output_stem_1``, ... ``on_seconds(s, total)`` hears of
    each ``s`` seconds of the ``total`` written.
    """
    from ..audio.writing.stream import audio_write_stream

    tokens = load_codes(path)
    if codec is None:
        codec = _codec_for(tokens, {} if codecs is None else codecs, device, trust_codec_source)
    else:
        check_codec_matches(tokens, codec)
        codec.set_num_codebooks(tokens.num_codebooks)
    check_decodable(codec, "decode these tokens")  # before a file is opened
    batch = tokens.codes.shape[0]
    stems = [Path(output_stem)] if batch == 1 else [Path(f"{output_stem}_{index}") for index in range(batch)]
    with contextlib.ExitStack() as stack:
        writers = [stack.enter_context(audio_write_stream(stem, tokens.sample_rate, tokens.channels, **write_options))
                   for stem in stems]
        for audio in _decoded_blocks(tokens, codec, device):
            for writer, item in zip(writers, audio):
                writer.write(item)
            if on_seconds is not None:
                on_seconds(audio.shape[-1] / tokens.sample_rate, tokens.length / tokens.sample_rate)
    return [writer.path for writer in writers]


def _checked_block(block: Any, path: str | Path, device: Any,
                   on_seconds: Callable[[float, float | None], None] | None, sample_rate: int,
                   total: float | None) -> Any:
    import numpy as np
    import torch

    if not np.isfinite(block).all():
        raise CodecregError(f"{path} holds NaN or infinite samples: nothing was encoded; repair or drop the file")
    if on_seconds is not None:
        on_seconds(block.shape[-1] / sample_rate, total)
    return torch.from_numpy(np.ascontiguousarray(block, dtype=np.float32))[None].to(device)


def _decoded_blocks(tokens: TokenFile, codec: Any, device: Any) -> Iterator[Any]:
    """Audio ``[B, C, n]`` blocks of ``tokens``: codes fed ``BLOCK_SECONDS`` at a time (the scale
    with the first block), or decoded whole by a codec without a coding plan."""
    import torch

    if codec.coding_plan() is None:
        yield tokens.decode(codec, device=device)
        return
    codes = torch.from_numpy(tokens.codes).to(device)
    scale = None if tokens.scale is None else torch.from_numpy(tokens.scale).to(device)
    step = max(1, round(BLOCK_SECONDS * codec.frame_rate))
    blocks = [(block, scale if index == 0 else None) for index, block in enumerate(codes.split(step, dim=-1))]
    yield from codec.decode_stream(blocks, length=tokens.length)


def _codec_for(tokens: TokenFile, codecs: dict[str, Any], device: Any, trust_codec_source: bool) -> Any:
    if tokens.codec not in codecs:
        codecs[tokens.codec] = tokens.load_codec(device, trust_codec_source)
    codec = codecs[tokens.codec]
    if codec.num_codebooks != tokens.num_codebooks:
        codec.set_num_codebooks(tokens.num_codebooks)
    return codec
