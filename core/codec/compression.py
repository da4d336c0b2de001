"""The codec contract, audiocraft's ``CompressionModel``, free of torch at import.

A plugin subclasses it together with ``torch.nn.Module``. Shapes: audio is
``[B, C, T]`` float, codes are ``[B, K, T']`` int64 with K the current number of
codebooks, and ``decode(encode(x))`` has exactly ``x``'s length when the codec
knows it (plugins trim the hop padding).
"""

from __future__ import annotations

import abc
import operator
import math
from typing import Any, Callable, Iterable, Iterator

from ..errors import IncompatibleCodecError
from ..registry.specs import bitrate_kbps
from .metadata import CodecMetadata

#: seconds of audio one pass of an encoder or decoder covers unless ``chunk_seconds`` says otherwise
DEFAULT_CHUNK_SECONDS = 10.0

#: what ``get_pretrained`` builds a codec by name with: the registry layer installs its ``load_codec``
#: here when it is imported (``install_loader``), so this contract never imports the layer above it
_loader: Callable[..., Any] | None = None


def install_loader(loader: Callable[..., Any]) -> None:
    """Make ``loader(name, device=...)`` what ``CompressionModel.get_pretrained`` builds codecs with."""
    global _loader
    _loader = loader


class CompressionModel(abc.ABC):
    """Encodes audio into discrete codes and decodes them back."""

    #: the name string this model was loaded by, with its options (set by ``load_codec``)
    name: str = ""
    #: False for an encode-only tokenizer (a semantic tokenizer such as S3Tokenizer): ``decode``,
    #: ``codecreg decode`` and ``compare`` refuse it before any work (``codecreg.EncodeOnlyModel``)
    has_decoder: bool = True
    #: longest stretch of audio one pass covers, bounding memory (None: the whole input);
    #: set by the ``chunk_seconds`` option of a name, or ``set_chunk_seconds``
    chunk_seconds: float | None = DEFAULT_CHUNK_SECONDS
    #: how codecreg's readers resample audio for this codec (``encode_file``, ``tokenize``, ``compare``):
    #: "soxr", or "julius" for audiocraft's numbers; set by the ``resampler`` option of a name
    resampler: str = "soxr"

    def encode(self, x: Any) -> tuple[Any, Any | None]:
        """``x [B, C, T]`` -> ``(codes [B, K, T'] int64, scale [B, 1] or None)``.

        The default, for a codec with a ``coding_plan``: ``check_audio``, ``model_audio``, then the
        plan ``chunk_seconds`` at a time, item by item, without gradients. A codec without a plan
        implements its own."""
        import torch

        from ..chunking.driving import encode_by_plan, plan_of

        self.check_audio(x)
        plan = plan_of(self, "encode")
        with torch.no_grad():
            return encode_by_plan(self, self.model_audio(x), plan)

    def decode(self, codes: Any, scale: Any | None = None, length: Any = None) -> Any:
        """``codes [B, K, T']`` -> audio ``[B, C, T]`` (``length`` samples when given).

        The default, for a codec with a ``coding_plan``: ``check_codes``, ``model_codes``, then the
        plan ``chunk_seconds`` at a time, without gradients (a ``length`` beyond what the codes
        cover is refused before any work). A codec without a plan implements its own."""
        import torch

        from ..chunking.driving import decode_by_plan, plan_of

        self.check_codes(codes)
        plan = plan_of(self, "decode")
        codes, scale = self.model_codes(codes, scale)
        with torch.no_grad():
            return decode_by_plan(self, codes, scale, length, plan)

    def model_audio(self, x: Any) -> Any:
        """Checked audio as the model takes it (its device and dtype, say); the default encode calls
        it. As given, unless a codec says otherwise."""
        return x

    def model_codes(self, codes: Any, scale: Any | None) -> tuple[Any, Any | None]:
        """Checked codes and scale as the model takes them (its device, int64, a scale's shape
        checked); the default decode calls it. As given, unless a codec says otherwise."""
        return codes, scale

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

    # multi-rate codes (codecreg.codec.levels): None for a single-rate codec ----------
    @property
    def code_levels(self) -> Any | None:
        """How this codec's levels at several frame rates are packed into its grid (a ``CodeLevels``),
        or None: one frame rate. Declared by ``set_code_levels`` after ``set_metadata``."""
        return self.__dict__.get("_code_levels")

    def set_code_levels(self, levels: Any) -> None:
        """Declare multi-rate codes: ``frame_rate`` must be the coarsest level's, ``total_codebooks``
        the grid's rows (``levels.rows``)."""
        from .levels import check_levels_fit

        check_levels_fit(levels, self.metadata, type(self).__name__)
        self._code_levels = levels
        self._num_codebooks = self.check_num_codebooks(self._num_codebooks)

    def encode_levels(self, x: Any) -> tuple[list[Any], Any | None]:
        """``encode`` unpacked: ``([codes of level i, [B, K_i, T_i]], scale)``; a single-rate codec's one level."""
        codes, scale = self.encode(x)
        return ([codes] if self.code_levels is None else self.code_levels.unpack(codes)), scale

    def decode_levels(self, levels: list[Any], scale: Any | None = None, length: int | None = None) -> Any:
        """``decode`` of per-level codes as ``encode_levels`` gives them."""
        if self.code_levels is None:
            if len(levels) != 1:
                raise ValueError(f"{type(self).__name__} is a single-rate codec: decode_levels takes one level, "
                                 f"got {len(levels)}")
            return self.decode(levels[0], scale, length=length)
        return self.decode(self.code_levels.pack(levels), scale, length=length)

    def set_num_codebooks(self, n: int) -> None:
        """Use the first ``n`` codebooks from now on, 1 <= n <= total_codebooks."""
        self._num_codebooks = self.check_num_codebooks(n)

    def frames_for(self, length: int) -> int:
        """How many frames ``encode`` gives for ``length`` samples: ``ceil(length x frame_rate /
        sample_rate)`` unless the codec segments or pads its input otherwise (then it overrides this)."""
        return math.ceil(length * self.frame_rate / self.sample_rate - 1e-6)

    @property
    def bitrate(self) -> float:
        """kbps at the current number of codebooks."""
        return bitrate_kbps(self.num_codebooks, self.cardinality, self.frame_rate)

    def set_chunk_seconds(self, seconds: float | None) -> None:
        """Code at most ``seconds`` of audio per pass (0 or None: whole inputs in one pass). Codes and
        audio do not depend on it for a codec with a ``coding_plan``; only memory and latency do."""
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                    or not (seconds >= 0 and math.isfinite(seconds))):
            raise ValueError(f"{type(self).__name__}: chunk_seconds must be a number of seconds >= 0 "
                             f"(0: one pass), got {seconds!r}")
        self.chunk_seconds = float(seconds) if seconds else None

    # long audio and streams ------------------------------------------------
    def coding_plan(self) -> Any | None:
        """How this codec codes audio in chunks exactly (``codecreg.chunking``: a
        ``StagedPlan`` or a ``SegmentedPlan``), or None when it can only code whole inputs.
        docs/long-audio.md says what to declare."""
        return None

    def encode_stream(self, blocks: Iterable[Any]) -> Iterator[tuple[Any, Any | None]]:
        """Audio blocks ``[B, C, n]`` in, ``(codes [B, K, t], scale)`` out as soon as they are final;
        the blocks' codes put together equal ``encode`` of the whole audio."""
        from ..chunking.driving import encode_stream

        return encode_stream(self, blocks)

    def decode_stream(self, blocks: Iterable[Any], length: int | None = None) -> Iterator[Any]:
        """Code blocks ``[B, K, t]`` (or ``(codes, scale)`` pairs as ``encode_stream`` gives them) in,
        audio blocks ``[B, C, n]`` out as soon as they are final; put together they equal ``decode``
        of all the codes, ending at ``length`` samples when given."""
        from ..chunking.driving import decode_stream

        return decode_stream(self, blocks, length)

    @classmethod
    def get_pretrained(cls, name: str, device: Any = "cpu") -> "CompressionModel":
        """audiocraft's entry point, so its code ports unchanged: any name of docs/names.md.

        On a subclass, the name must build that class (or one of its subclasses):
        ``EncodecCodec.get_pretrained("dac_44khz")`` is refused, naming both classes;
        ``CompressionModel.get_pretrained`` accepts any codec."""
        if _loader is None:
            raise RuntimeError("no codec loader is installed: import codecreg (its registry installs one)")
        model = _loader(name, device=device)
        if not isinstance(model, cls):
            built = type(model)
            raise IncompatibleCodecError(
                f"{cls.__name__}.get_pretrained({name!r}): that name builds a {built.__name__} "
                f"({built.__module__}.{built.__qualname__}), not a {cls.__name__} "
                f"({cls.__module__}.{cls.__qualname__}); use {built.__name__}.get_pretrained, "
                "CompressionModel.get_pretrained or codecreg.load_codec for any codec")
        return model

    # helpers for implementations -------------------------------------------
    def encode_by_plan(self, x: Any, plan: Any, whole: bool = False) -> tuple[Any, Any | None]:
        """``encode`` through ``plan`` (``codecreg.chunking.encode_by_plan``), for a codec whose own
        ``encode`` runs a plan of its choosing (``whole``: in one pass)."""
        from ..chunking.driving import encode_by_plan

        return encode_by_plan(self, x, plan, whole)

    def decode_by_plan(self, codes: Any, scale: Any | None, length: Any, plan: Any, whole: bool = False) -> Any:
        """``decode`` through ``plan`` (``codecreg.chunking.decode_by_plan``), for a codec whose own
        ``decode`` runs a plan of its choosing (``whole``: in one pass)."""
        from ..chunking.driving import decode_by_plan

        return decode_by_plan(self, codes, scale, length, plan, whole)

    def check_num_codebooks(self, n: int) -> int:
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= self.total_codebooks:
            raise ValueError(
                f"{type(self).__name__}: num_codebooks must be an int from 1 to "
                f"{self.total_codebooks}, got {n!r}"
            )
        levels = self.code_levels
        if levels is not None and n not in levels.boundaries:
            raise ValueError(f"{type(self).__name__}: num_codebooks counts rows of multi-rate codes and must end on "
                             f"a level ({', '.join(map(str, levels.boundaries))}: {levels.describe()}), got {n}")
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
        self.check_covered(length, audio.shape[-1])
        return audio[..., :length]

    def check_covered(self, length: int | None, covered: int) -> None:
        """Refuse a ``length`` beyond the ``covered`` samples codes decode to."""
        if length is not None and length > covered:
            raise ValueError(f"{type(self).__name__}.decode: length={length} asks for more samples than the "
                             f"codes cover (they cover {covered}); pass the length of the audio they were "
                             "encoded from")

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

