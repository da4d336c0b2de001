"""The codec-neutral token file: a codec's codes and what is needed to decode them.

A token file is a safetensors container, so reading one never executes code:
a ``codes`` tensor ``[B, K, T']`` of unsigned integers (the smallest type that
holds the codebook), an optional float32 ``scale`` tensor, and string metadata
naming the codec by its full name string (options included), its sample rate,
channels, frame rate, cardinality, number of codebooks, the original length in
samples, the resampler that brought the audio to the codec's rate ("soxr" or
"julius") and the codecreg and format versions. Decoding reloads the codec by
that name and checks that it still has the stored geometry. A multi-rate codec's
file (SNAC) holds its packed grid and, in ``code_levels``, how to unpack it
(``codecreg.codec.levels``); ``TokenFile.levels()`` gives the levels back.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..codec.encode_only import check_decodable, check_decodable_name
from ..errors import CodecregError, UnknownNameError
from ..version import __version__

FORMAT = "codecreg.codes"
FORMAT_VERSION = 1
SUFFIX = ".codes"
_HEADER_BYTES = 8  # safetensors starts with the little-endian length of its JSON header
_INT_FIELDS = ("sample_rate", "channels", "cardinality", "num_codebooks", "length")


class TokenFileError(CodecregError, ValueError):
    """A token file that cannot be read, or whose codec cannot decode it."""


@dataclass(frozen=True)
class TokenFile:
    """The contents of a token file. ``codes`` is int64 ``[B, K, T']``, ``length`` counts samples."""

    codes: np.ndarray
    scale: np.ndarray | None
    codec: str
    sample_rate: int
    channels: int
    frame_rate: float
    cardinality: int
    num_codebooks: int
    length: int
    codecreg_version: str
    format_version: int
    #: how the audio was resampled to the codec's rate before encoding ("soxr" in files older than the field)
    resampler: str = "soxr"
    #: how the grid packs a multi-rate codec's levels (``codecreg.CodeLevels``); None: one frame rate
    code_levels: Any | None = None

    def levels(self) -> list[np.ndarray]:
        """The codes per level, ``[B, K_i, T_i]`` each (a single-rate file's one level: ``[codes]``)."""
        return [self.codes] if self.code_levels is None else self.code_levels.unpack(self.codes)

    @property
    def duration(self) -> float:
        return self.length / self.sample_rate

    def load_codec(self, device: Any = "cpu", trust_codec_source: bool = False) -> Any:
        """Build the codec named in the file and check it still matches what encoded it.

        A token file is data, possibly from someone else: a local path or a source
        (``hf:...``) it names is loaded only with ``trust_codec_source=True``;
        registered names are always allowed.
        """
        from ..registry.loading import load_codec

        check_codec_name_trusted(self.codec, trust_codec_source)
        check_decodable_name(self.codec, "decode these tokens")
        try:
            codec = load_codec(self.codec, device=device)
        except UnknownNameError as error:
            raise TokenFileError(
                f"these codes were made by codec {self.codec!r}, which no installed plugin provides: "
                f"{error}"
            ) from None
        check_codec_matches(self, codec)
        if codec.num_codebooks != self.num_codebooks:
            codec.set_num_codebooks(self.num_codebooks)
        return codec

    def decode(self, codec: Any | None = None, device: Any = "cpu", trust_codec_source: bool = False) -> Any:
        """Audio ``[B, C, length]`` (a torch tensor), decoded by ``codec`` or the codec named in the file."""
        import torch

        if codec is None:
            codec = self.load_codec(device, trust_codec_source)
        else:
            check_codec_matches(self, codec)
        check_decodable(codec, "decode these tokens")
        codes = torch.from_numpy(self.codes).to(device)
        scale = None if self.scale is None else torch.from_numpy(self.scale).to(device)
        with torch.no_grad():
            return codec.decode(codes, scale, length=self.length)


def save_codes(path: str | os.PathLike, codes: Any, codec: Any, length: int, scale: Any | None = None) -> Path:
    """Write ``codes [B, K, T']`` from ``codec.encode`` of ``length`` samples to ``path`` and return it.

    ``codec`` is the built model: its ``name`` (with options) is what decoding loads again.
    """
    codes = _to_numpy(codes)
    if codes.ndim != 3:
        raise ValueError(f"save_codes expects codes shaped [batch, codebooks, frames], got shape {codes.shape}")
    if not np.issubdtype(codes.dtype, np.integer):
        raise ValueError(f"save_codes expects integer codes (from codec.encode), got {codes.dtype}")
    cardinality = int(codec.cardinality)
    if codes.size and (codes.min() < 0 or codes.max() >= cardinality):
        raise ValueError(f"codes must lie in [0, {cardinality}) for this codec, got {codes.min()}..{codes.max()}")
    if not getattr(codec, "name", ""):
        raise ValueError("the codec has no name to reload it by: build it with codecreg.load_codec(name)")
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be the number of samples encoded (an int >= 1), got {length!r}")
    most = samples_covered(codes.shape[-1], codec.sample_rate, codec.frame_rate)
    if length > most:
        raise ValueError(f"length {length} is more than {codes.shape[-1]} frames can hold ({most} samples at "
                         f"{codec.frame_rate:g} frames/s and {codec.sample_rate} Hz): pass the number of samples "
                         "that were encoded")

    levels = getattr(codec, "code_levels", None)
    if levels is not None:
        levels.levels_in(codes.shape[1])  # whole levels only
    tensors = {"codes": np.ascontiguousarray(codes.astype(_storage_dtype(cardinality)))}
    if scale is not None:
        tensors["scale"] = np.ascontiguousarray(_to_numpy(scale).astype(np.float32))
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "codecreg_version": __version__,
        "codec": codec.name,
        "sample_rate": str(int(codec.sample_rate)),
        "channels": str(int(codec.channels)),
        "frame_rate": repr(float(codec.frame_rate)),
        "cardinality": str(cardinality),
        "num_codebooks": str(codes.shape[1]),
        "length": str(int(length)),
        "resampler": getattr(codec, "resampler", "soxr"),
    }
    if levels is not None:
        metadata["code_levels"] = levels.to_json()
    from safetensors.numpy import save

    from ..files.atomic_file import atomic_write_path
    from ..files.output_path import check_output_path

    path = Path(path)
    check_output_path(path, make_parent_dir=False)
    with atomic_write_path(path) as temporary:  # links written through, special files refused, mode kept
        temporary.write_bytes(save(tensors, metadata=metadata))
    return path


def load_codes(path: str | os.PathLike) -> TokenFile:
    """Read and validate a token file; any problem raises TokenFileError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise TokenFileError(f"no such token file: {str(path)!r}")
    size = path.stat().st_size
    if size < _HEADER_BYTES:
        raise TokenFileError(f"{path}: truncated: {size} bytes is shorter than a token file's header")
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as reader:
            metadata = reader.metadata() or {}
            _check_format(path, metadata)
            names = set(reader.keys())
            if "codes" not in names:
                raise TokenFileError(f"{path}: corrupted: it holds no 'codes' tensor")
            codes = reader.get_tensor("codes")
            scale = reader.get_tensor("scale") if "scale" in names else None
    except TokenFileError:
        raise
    except Exception as error:  # safetensors reports every malformed container this way
        raise TokenFileError(
            f"{path}: not a readable token file (truncated or corrupted safetensors container: {error}). "
            "Token files are written by `codecreg encode` or codecreg.save_codes."
        ) from None
    return _validated(path, codes, scale, metadata)


def samples_covered(frames: int, sample_rate: int, frame_rate: float) -> int:
    """The most samples ``frames`` codes can stand for (a segmented codec's overlap makes it fewer)."""
    return math.ceil(frames * sample_rate / frame_rate - 1e-6)


def check_codec_name_trusted(name: str, trust_codec_source: bool) -> None:
    """Refuse a local path or a source scheme named by a token file unless the user trusts it."""
    from ..registry.names import parse_name

    parsed = parse_name(name)
    if parsed.scheme is None or trust_codec_source:
        return
    what = "a local checkpoint path" if parsed.is_path else f"a {parsed.scheme}: source"
    raise TokenFileError(
        f"this token file names the codec {name!r}, {what}; a token file is data, possibly from someone "
        "else, so codecreg does not load paths or sources it names. Decode with a codec you choose "
        "(`codecreg decode --codec NAME`, or TokenFile.decode(codec=...)), or, if you trust the file, "
        "allow it (`--trust-codec-source`, trust_codec_source=True)"
    )


def check_codec_matches(tokens: TokenFile, codec: Any) -> None:
    """Refuse a codec whose geometry differs from the one that wrote ``tokens`` (other weights, other version)."""
    problems = [f"{key}: file {getattr(tokens, key)}, codec {getattr(codec, key)}"
                for key in ("sample_rate", "channels", "cardinality")
                if getattr(tokens, key) != getattr(codec, key)]
    if not math.isclose(tokens.frame_rate, codec.frame_rate, rel_tol=1e-6):
        problems.append(f"frame_rate: file {tokens.frame_rate}, codec {codec.frame_rate}")
    if tokens.num_codebooks > codec.total_codebooks:
        problems.append(f"num_codebooks: file {tokens.num_codebooks}, codec has {codec.total_codebooks}")
    levels = getattr(codec, "code_levels", None)
    if (tokens.code_levels is None) != (levels is None) or (levels is not None and not levels.matches(tokens.code_levels)):
        shown = [("one frame rate" if value is None else value.describe()) for value in (tokens.code_levels, levels)]
        problems.append(f"code levels: file {shown[0]}, codec {shown[1]}")
    if problems:
        raise TokenFileError(
            f"codec {getattr(codec, 'name', '') or type(codec).__name__!r} cannot decode codes written for "
            f"{tokens.codec!r}: " + "; ".join(problems)
        )


def _check_format(path: Path, metadata: dict[str, str]) -> None:
    if metadata.get("format") != FORMAT:
        raise TokenFileError(
            f"{path}: a safetensors file but not a codecreg token file (its metadata has no "
            f"'format': '{FORMAT}'); token files are written by `codecreg encode` or codecreg.save_codes"
        )
    version = metadata.get("format_version", "")
    if not _is_whole_number(version):
        raise TokenFileError(f"{path}: corrupted: format_version {version!r} is not a number")
    if int(version) > FORMAT_VERSION:
        raise TokenFileError(
            f"{path}: written in token format {version} by codecreg {metadata.get('codecreg_version', '?')}; "
            f"this codecreg ({__version__}) reads format {FORMAT_VERSION} at most: upgrade codecreg"
        )


def _validated(path: Path, codes: np.ndarray, scale: np.ndarray | None, metadata: dict[str, str]) -> TokenFile:
    fields: dict[str, Any] = {}
    for key in _INT_FIELDS:
        text = metadata.get(key, "")
        if not _is_whole_number(text):
            raise TokenFileError(f"{path}: corrupted metadata: {key} is {text!r}, expected a whole number")
        fields[key] = int(text)
    try:
        frame_rate = float(metadata.get("frame_rate", ""))
    except ValueError:
        frame_rate = math.nan
    if not (math.isfinite(frame_rate) and frame_rate > 0):
        raise TokenFileError(f"{path}: corrupted metadata: frame_rate is {metadata.get('frame_rate')!r}")
    codec = metadata.get("codec", "")
    if not codec:
        raise TokenFileError(f"{path}: corrupted metadata: no codec name")
    for key in ("sample_rate", "channels", "cardinality", "num_codebooks"):
        if fields[key] < 1:
            raise TokenFileError(f"{path}: corrupted metadata: {key} is {fields[key]}")

    if not np.issubdtype(codes.dtype, np.integer):
        raise TokenFileError(f"{path}: corrupted: codes have dtype {codes.dtype}, expected unsigned integers")
    if codes.ndim != 3 or codes.shape[1] != fields["num_codebooks"]:
        raise TokenFileError(
            f"{path}: corrupted: codes have shape {codes.shape}, expected [batch, {fields['num_codebooks']}, frames]"
        )
    if codes.size and (codes.min() < 0 or codes.max() >= fields["cardinality"]):
        raise TokenFileError(
            f"{path}: corrupted: codes range {codes.min()}..{codes.max()} outside [0, {fields['cardinality']})"
        )
    levels = None
    if "code_levels" in metadata:
        from ..codec.levels import CodeLevels

        try:
            levels = CodeLevels.from_json(metadata["code_levels"])
            levels.levels_in(codes.shape[1] if codes.ndim == 3 else -1)
        except (ValueError, KeyError, TypeError) as error:
            raise TokenFileError(f"{path}: corrupted metadata: code_levels {metadata['code_levels']!r} does not "
                                 f"describe codes of shape {codes.shape} ({error})") from None
        if not math.isclose(levels.frame_rates[0], frame_rate, rel_tol=1e-6):
            raise TokenFileError(f"{path}: corrupted metadata: code_levels' coarsest rate "
                                 f"{levels.frame_rates[0]} is not the frame_rate {frame_rate}")
    if scale is not None and (scale.dtype != np.float32 or scale.shape[:1] != codes.shape[:1]):
        raise TokenFileError(f"{path}: corrupted: scale has dtype {scale.dtype} and shape {scale.shape}")
    return TokenFile(codes=codes.astype(np.int64), scale=scale, codec=codec, frame_rate=frame_rate,
                     codecreg_version=metadata.get("codecreg_version", ""),
                     resampler=metadata.get("resampler", "soxr"),
                     format_version=int(metadata["format_version"]), code_levels=levels, **fields)


def _is_whole_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _storage_dtype(cardinality: int) -> type:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if cardinality - 1 <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _to_numpy(array: Any) -> np.ndarray:
    if hasattr(array, "detach"):
        array = array.detach().cpu().numpy()
    return np.asarray(array)
