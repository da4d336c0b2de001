"""The codec contract, audiocraft's ``CompressionModel``, free of torch at import.

A plugin subclasses it together with ``torch.nn.Module``. Shapes: audio is
``[B, C, T]`` float, codes are ``[B, K, T']`` int64 with K the current number of
codebooks, and ``decode(encode(x))`` has exactly ``x``'s length when the codec
knows it (plugins trim the hop padding).
"""

from __future__ import annotations

import abc
import operator
from typing import Any

from ..registry.specs import bitrate_kbps
from .metadata import CodecMetadata


class CompressionModel(abc.ABC):
    """Encodes audio into discrete codes and decodes them back."""

    #: the name string this model was loaded by, with its options (set by ``load_codec``)
    name: str = ""

    @abc.abstractmethod
    def encode(self, x: Any) -> tuple[Any, Any | None]:
        """``x [B, C, T]`` -> ``(codes [B, K, T'] int64, scale [B, 1] or None)``."""

    @abc.abstractmethod
    def decode(self, codes: Any, scale: Any | None = None) -> Any:
        """``codes [B, K, T']`` -> audio ``[B, C, T]``."""

    @abc.abstractmethod
    def decode_latent(self, codes: Any) -> Any:
        """``codes [B, K, T']`` -> the continuous latent the decoder consumes, ``[B, D, T']``."""

    # metadata: filled once by ``set_metadata`` in the implementation's ``__init__`` ----
    def set_metadata(self, *, sample_rate: int, channels: int, frame_rate: float, cardinality: int,
                     total_codebooks: int, num_codebooks: int | None = None) -> None:
        """Declare what this codec is; ``num_codebooks`` (default: all) is the count in use."""
        self._metadata = CodecMetadata(sample_rate, channels, float(frame_rate), cardinality,
                                       total_codebooks)
        self._num_codebooks = self.check_num_codebooks(total_codebooks if num_codebooks is None else num_codebooks)

    @property
    def metadata(self) -> CodecMetadata:
        metadata = self.__dict__.get("_metadata")
        if metadata is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no metadata: call self.set_metadata(sample_rate=..., channels=..., "
                "frame_rate=..., cardinality=..., total_codebooks=...) in its __init__"
            )
        return metadata

    @property
    def channels(self) -> int:
        return self.metadata.channels

    @property
    def frame_rate(self) -> float:
        return self.metadata.frame_rate

    @property
    def sample_rate(self) -> int:
        return self.metadata.sample_rate

    @property
    def cardinality(self) -> int:
        return self.metadata.cardinality

    @property
    def total_codebooks(self) -> int:
        return self.metadata.total_codebooks

    @property
    def num_codebooks(self) -> int:
        """The codebooks ``encode`` gives now, from 1 to ``total_codebooks``."""
        self.metadata  # raises the set_metadata hint when it was never called
        return self._num_codebooks

    def set_num_codebooks(self, n: int) -> None:
        """Use the first ``n`` codebooks from now on, 1 <= n <= total_codebooks."""
        self._num_codebooks = self.check_num_codebooks(n)

    @property
    def bitrate(self) -> float:
        """kbps at the current number of codebooks."""
        return bitrate_kbps(self.num_codebooks, self.cardinality, self.frame_rate)

    @classmethod
    def get_pretrained(cls, name: str, device: Any = "cpu") -> "CompressionModel":
        """audiocraft's entry point, so its code ports unchanged: any name of docs/names.md."""
        from ..api import load_codec

        return load_codec(name, device=device)

    # helpers for implementations -------------------------------------------
    def check_num_codebooks(self, n: int) -> int:
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= self.total_codebooks:
            raise ValueError(
                f"{type(self).__name__}: num_codebooks must be an int from 1 to "
                f"{self.total_codebooks}, got {n!r}"
            )
        return n

    def check_audio(self, x: Any) -> None:
        """Refuse input that is not a finite float32 tensor ``[B, C, T]`` with this codec's channel count."""
        name = type(self).__name__
        if not hasattr(x, "is_floating_point"):
            raise ValueError(f"{name}.encode expects a torch tensor, got {type(x).__name__}; "
                             "pass torch.from_numpy(x).float() for a numpy array")
        shape = tuple(x.shape)
        if len(shape) != 3:
            raise ValueError(
                f"{name}.encode expects audio shaped [batch, channels, time], "
                f"got shape {shape}; add the missing axes with x.reshape(1, 1, -1) or x[None]"
            )
        if shape[1] != self.channels:
            what = "mono" if self.channels == 1 else f"{self.channels}-channel"
            raise ValueError(
                f"{name} is a {what} codec but got {shape[1]} channel(s); convert "
                f"first, e.g. codecreg.convert_audio(wav, sr, sr, {self.channels})"
            )
        if shape[2] == 0:
            raise ValueError(f"{name}.encode got empty audio (0 samples)")
        if not x.is_floating_point():
            raise ValueError(
                f"{name}.encode expects floating-point samples in [-1, 1], "
                f"got {x.dtype}; convert with x.float() / 32768 for int16"
            )
        if str(x.dtype) == "torch.float64":
            raise ValueError(f"{name}.encode expects float32 samples, got torch.float64; convert with x.float()")
        if not bool(x.isfinite().all()):
            raise ValueError(f"{name}.encode got NaN or infinite samples; find where they come from "
                             "(a bad file, a division by zero) and replace or drop them before encoding")

    def check_length(self, length: Any) -> int | None:
        """``decode``'s ``length``: None, or a positive int (numpy integers too); anything else refused."""
        if length is None:
            return None
        try:
            samples = 0 if isinstance(length, bool) else operator.index(length)
        except TypeError:
            samples = 0
        if samples < 1:
            raise ValueError(f"{type(self).__name__}.decode: length must be a positive int (a number of samples), "
                             f"got {length!r}; pass the length of the audio that was encoded, or None")
        return samples

    def trim_to_length(self, audio: Any, length: Any) -> Any:
        """``audio [..., T]`` cut to exactly ``length`` samples (None: all of it). A length beyond what
        the codes cover is refused: padding it would be silently wrong audio."""
        length = self.check_length(length)
        if length is None:
            return audio
        if length > audio.shape[-1]:
            raise ValueError(f"{type(self).__name__}.decode: length={length} asks for more samples than the "
                             f"codes cover (they cover {audio.shape[-1]}); pass the length of the audio they were "
                             "encoded from")
        return audio[..., :length]

    def check_codes(self, codes: Any) -> None:
        shape = tuple(getattr(codes, "shape", ()))
        if len(shape) != 3:
            raise ValueError(f"{type(self).__name__}.decode expects codes shaped [batch, codebooks, frames], got {shape}")
        if shape[1] > self.total_codebooks:
            raise ValueError(
                f"{type(self).__name__}.decode got {shape[1]} codebooks, the model has {self.total_codebooks}"
            )
        if shape[2] == 0:
            raise ValueError(f"{type(self).__name__}.decode got codes with no frames; pass the codes encode "
                             "returned, at least one frame")
        if getattr(codes, "is_floating_point", lambda: False)() or getattr(codes, "is_complex", lambda: False)():
            raise ValueError(f"{type(self).__name__}.decode expects integer codes, got {codes.dtype}; "
                             "convert with codes.long()")
        low, high = int(codes.min()), int(codes.max())
        if low < 0 or high >= self.cardinality:
            raise ValueError(f"{type(self).__name__}.decode: codes must lie in [0, {self.cardinality}), "
                             f"got values from {low} to {high}: this codec's codebooks have entries 0 to "
                             f"{self.cardinality - 1}; were the codes made by another codec?")
