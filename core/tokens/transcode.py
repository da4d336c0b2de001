"""One file at a time: audio file -> token file (``encode_file``) and token file -> audio file (``decode_file``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CodecregError
from .token_file import TokenFile, check_codec_matches, load_codes, save_codes


def encode_file(path: str | Path, codec: Any, output: str | Path, device: Any = "cpu") -> Path:
    """Read ``path``, convert it to the codec's rate and channels, encode it and save the token file ``output``."""
    import numpy as np
    import torch

    from ..audio.reading import audio_read, convert_audio

    wav, sample_rate = audio_read(path)
    if not np.isfinite(wav).all():
        raise CodecregError(f"{path} holds NaN or infinite samples: nothing was encoded; repair or drop the file")
    wav = convert_audio(wav, sample_rate, codec.sample_rate, codec.channels)
    audio = torch.from_numpy(np.ascontiguousarray(wav, dtype=np.float32))[None].to(device)
    with torch.no_grad():
        codes, scale = codec.encode(audio)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    return save_codes(output, codes, codec, audio.shape[-1], scale)


def decode_file(path: str | Path, output_stem: str | Path, codecs: dict[str, Any] | None = None,
                device: Any = "cpu", codec: Any | None = None, trust_codec_source: bool = False,
                **write_options: Any) -> list[Path]:
    """Decode the token file ``path`` and write it with ``audio_write(output_stem, ...)``.

    ``codec`` decodes every file (checked against each file's geometry) instead of
    the codec the file names; ``codecs`` caches codecs built by the files' names
    across calls; ``trust_codec_source`` allows a name that is a path or a source
    (see ``TokenFile.load_codec``). A file holding a batch of B > 1 items is
    written as ``output_stem_0``, ``output_stem_1``, ...
    """
    from ..audio.writing import audio_write

    tokens = load_codes(path)
    if codec is None:
        codec = _codec_for(tokens, {} if codecs is None else codecs, device, trust_codec_source)
    else:
        check_codec_matches(tokens, codec)
        codec.set_num_codebooks(tokens.num_codebooks)
    audio = tokens.decode(codec, device=device)
    stems = [Path(output_stem)] if audio.shape[0] == 1 else [
        Path(f"{output_stem}_{index}") for index in range(audio.shape[0])]
    return [audio_write(stem, item, tokens.sample_rate, **write_options) for stem, item in zip(stems, audio)]


def _codec_for(tokens: TokenFile, codecs: dict[str, Any], device: Any, trust_codec_source: bool) -> Any:
    if tokens.codec not in codecs:
        codecs[tokens.codec] = tokens.load_codec(device, trust_codec_source)
    codec = codecs[tokens.codec]
    if codec.num_codebooks != tokens.num_codebooks:
        codec.set_num_codebooks(tokens.num_codebooks)
    return codec
