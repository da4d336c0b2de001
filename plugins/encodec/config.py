"""The architecture of an EnCodec model as plain data, and the three published ones.

Every checkpoint format describes the same network with its own field names
(transformers' ``config.json``, audiocraft's ``xp.cfg``, the encodec package's
hard-coded constructors); each loader translates its own into this one class.
Imports nothing heavy: the registration module reads the presets.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

NORMS = ("weight_norm", "time_group_norm", "none")
PAD_MODES = ("reflect", "constant", "replicate", "circular")


@dataclass(frozen=True)
class EncodecConfig:
    """SEANet encoder/decoder, residual vector quantizer and the pre/post-processing around them."""

    sample_rate: int
    channels: int
    ratios: tuple[int, ...]  # decoder order (upsampling); the encoder uses them reversed
    n_filters: int
    dimension: int  # latent size, also the codebook vector size
    codebook_size: int
    num_codebooks: int  # codebooks the model has
    causal: bool
    norm: str = "weight_norm"  # what the convolutions carry: folded away at load, or a GroupNorm
    pad_mode: str = "reflect"
    true_skip: bool = True  # identity shortcut in residual blocks; False: a 1x1 convolution
    n_residual_layers: int = 1
    kernel_size: int = 7
    last_kernel_size: int = 7
    residual_kernel_size: int = 3
    dilation_base: int = 2
    compress: int = 2
    lstm_layers: int = 2
    trim_right_ratio: float = 1.0
    disable_norm_outer_blocks: int = 0  # audiocraft: outer blocks without normalization
    elu_alpha: float = 1.0
    renormalize: bool = False  # divide by the RMS of the mono mix (the scale) before encoding
    segment: float | None = None  # seconds per segment, encoded separately and overlap-added
    overlap: float = 0.01  # fraction of a segment that consecutive segments share
    bandwidths: tuple[float, ...] = ()  # kbps settings the model was trained for

    def __post_init__(self) -> None:
        if self.norm not in NORMS:
            raise ValueError(f"EnCodec norm must be one of {NORMS}, got {self.norm!r}")
        if self.pad_mode not in PAD_MODES:
            raise ValueError(f"EnCodec pad_mode must be one of {PAD_MODES}, got {self.pad_mode!r}")
        if self.norm == "time_group_norm" and self.causal:
            raise ValueError("EnCodec: time_group_norm normalizes over time and cannot be causal")
        if not self.causal and self.trim_right_ratio != 1.0:
            raise ValueError("EnCodec: trim_right_ratio != 1 only makes sense for a causal model")

    @property
    def hop_length(self) -> int:
        return math.prod(self.ratios)

    @property
    def frame_rate(self) -> float:
        return self.sample_rate / self.hop_length

    @property
    def segment_length(self) -> int | None:
        """Samples per segment, as the encodec package computes it."""
        return None if self.segment is None else int(self.segment * self.sample_rate)

    @property
    def segment_stride(self) -> int | None:
        length = self.segment_length
        return None if length is None else max(1, int((1 - self.overlap) * length))

    def replace(self, **changes) -> "EncodecConfig":
        return dataclasses.replace(self, **changes)


ENCODEC_24KHZ = EncodecConfig(
    sample_rate=24000, channels=1, ratios=(8, 5, 4, 2), n_filters=32, dimension=128,
    codebook_size=1024, num_codebooks=32, causal=True, norm="weight_norm", pad_mode="reflect",
    true_skip=False, bandwidths=(1.5, 3.0, 6.0, 12.0, 24.0),
)

ENCODEC_48KHZ = EncodecConfig(
    sample_rate=48000, channels=2, ratios=(8, 5, 4, 2), n_filters=32, dimension=128,
    codebook_size=1024, num_codebooks=16, causal=False, norm="time_group_norm", pad_mode="reflect",
    true_skip=False, renormalize=True, segment=1.0, overlap=0.01, bandwidths=(3.0, 6.0, 12.0, 24.0),
)

# MusicGen's tokenizer as published in transformers layout (facebook/encodec_32khz).
ENCODEC_32KHZ = EncodecConfig(
    sample_rate=32000, channels=1, ratios=(8, 5, 4, 4), n_filters=64, dimension=128,
    codebook_size=2048, num_codebooks=4, causal=False, norm="weight_norm", pad_mode="reflect",
    true_skip=True, bandwidths=(2.2,),
)
