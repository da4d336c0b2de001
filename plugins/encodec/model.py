"""The EnCodec codec behind codecreg's ``CompressionModel`` contract.

Shapes: audio ``[B, C, T]``; codes ``[B, K, T']`` int64. For a renormalized
model ``encode`` also returns the scale, ``[B, S]``: one column per segment
(S = 1 for a model without segments). A segmented model (48 kHz) concatenates
the codes of its segments along time, so ``T'`` is the sum of the segments'
frames: a full 1 s segment gives 150 frames, and consecutive segments overlap by
1 % of a second of audio.
"""

from __future__ import annotations

import torch
from torch import nn

from codecreg import CompressionModel
from codecreg.chunking import (Convolutional, Recurrent, SegmentedPlan, SegmentLayout, Stage, StagedPlan,
                               receptive_context)

from .config import EncodecConfig
from .layers import SkipLSTM
from .quantization import ResidualVectorQuantizer
from .seanet import SEANetDecoder, SEANetEncoder
from .time_major import decode as decode_time_major
from .time_major import prepare_time_major, run_time_major


class EncodecCodec(CompressionModel, nn.Module):
    """SEANet encoder, residual vector quantizer and SEANet decoder, inference only."""

    def __init__(self, config: EncodecConfig):
        nn.Module.__init__(self)
        self.config = config
        self.encoder = SEANetEncoder(config)
        self.decoder = SEANetDecoder(config)
        self.quantizer = ResidualVectorQuantizer(config.num_codebooks, config.codebook_size, config.dimension)
        self.set_metadata(sample_rate=config.sample_rate, channels=config.channels, frame_rate=config.frame_rate,
                          cardinality=config.codebook_size, total_codebooks=config.num_codebooks)
        self.eval()

    def refresh(self) -> None:
        """Recompute what is derived from the weights (codebook norms, convolution matrices):
        call after changing them."""
        self.quantizer.refresh()
        prepare_time_major(self)

    # contract: coding -----------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Items are encoded one at a time (oneDNN picks its convolution and LSTM kernels by problem
        size, so a batch would get other last bits than its items), ``chunk_seconds`` at a time:
        the base class's through the coding plan, or whole inputs when there is none."""
        if self.coding_plan() is not None:
            return super().encode(x)
        self.check_audio(x)
        items = [self._normalize(item) for item in x.split(1)] if self.config.renormalize else [(x, None)]
        codes = torch.cat([self.encode_by_plan(item, self._staged_plan(), whole=True)[0] for item, _ in items])
        return codes, torch.cat([scale for _, scale in items]) if self.config.renormalize else None

    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        self.check_codes(codes)
        return self.quantizer.decode(codes).transpose(1, 2)

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, scale: torch.Tensor | None = None,
               length: int | None = None) -> torch.Tensor:
        """Audio ``[B, C, T]`` for ``codes``: ``T = length`` when given, else every sample the
        frames cover (``T' * hop`` without segments; up to the end of the last segment with)."""
        if self.coding_plan() is not None:
            return super().decode(codes, scale, length)
        self.check_codes(codes)
        codes, scale = self.model_codes(codes, scale)
        audio = self.decode_by_plan(codes, None, length, self._staged_plan(), whole=True)
        return audio if scale is None else audio * scale.view(-1, 1, 1)

    def frames_for(self, length: int) -> int:
        """A segmented model's segments each give their own frames, one after the other."""
        plan = self.coding_plan()
        if isinstance(plan, SegmentedPlan):
            return sum(plan.layout.frames_for(length))
        return super().frames_for(length)

    # long audio -----------------------------------------------------------
    def coding_plan(self) -> StagedPlan | SegmentedPlan | None:
        """Segments for a segmented model; else the SEANet stacks around their LSTM as stages. A model
        that normalizes over its whole input (renormalized, or GroupNorm over time) has no plan."""
        if self.config.segment is not None:
            layout = SegmentLayout(self.config.segment_length, self.config.segment_stride, self.config.hop_length)
            return SegmentedPlan(layout, self._encode_segment, self._decode_segment)
        if self.config.renormalize or self.config.norm == "time_group_norm":
            return None
        return self._staged_plan()

    def _staged_plan(self) -> StagedPlan:
        return StagedPlan(self._encoder_stages(), self._decoder_stages(), self.config.hop_length)

    def _encoder_stages(self) -> list[Stage]:
        """Time-major inside each stage (time_major.py), channels-first between stages; no stage
        writes its input (the chunker keeps context frames of it)."""
        hop, quantize = self.config.hop_length, self._quantize
        front, lstm, back = _around_lstm(self.encoder.layers)
        if lstm is None:
            return [Convolutional(lambda x: quantize(_channels_first(run_time_major(front, _time_major(x)))),
                                  receptive_context(front, hop), steps_in=hop)]
        return [Convolutional(lambda x: _channels_first(run_time_major(front, _time_major(x))),
                              receptive_context(front, hop), steps_in=hop),
                Recurrent(lstm.step),
                Convolutional(lambda z: quantize(_channels_first(run_time_major(back, _time_major(z)))),
                              receptive_context(back, 1))]

    def _decoder_stages(self) -> list[Stage]:
        """Time-major inside each stage (time_major.py), channels-first between stages."""
        hop, latent = self.config.hop_length, self.quantizer.decode
        front, lstm, back = _around_lstm(self.decoder.layers)
        if lstm is None:
            return [Convolutional(lambda c: _channels_first(run_time_major(front, latent(c))),
                                  receptive_context(front, 1), steps_out=hop)]
        return [Convolutional(lambda c: _channels_first(run_time_major(front, latent(c))),
                              receptive_context(front, 1)),
                Recurrent(lstm.step),
                Convolutional(lambda z: _channels_first(run_time_major(back, _time_major_copy(z))),
                              receptive_context(back, 1), steps_out=hop)]

    def _quantize(self, latent: torch.Tensor) -> torch.Tensor:
        return self.quantizer.encode(latent, self.num_codebooks)

    def _encode_segment(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        segment, scale = self._normalize(x)
        latent = run_time_major(self.encoder.layers, _time_major(segment))
        return self._quantize(_channels_first(latent)), scale

    def _decode_segment(self, codes: torch.Tensor, scale: torch.Tensor | None) -> torch.Tensor:
        audio = decode_time_major(self.decoder, self.quantizer.decode(codes))
        return audio if scale is None else audio * scale.view(-1, 1, 1)

    # internals ------------------------------------------------------------
    def _normalize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Divide by the RMS of the mono mix (+1e-8), as the encodec package does, when the model asks."""
        if not self.config.renormalize:
            return x, None
        volume = x.mean(dim=1, keepdim=True).pow(2).mean(dim=2, keepdim=True).sqrt()
        scale = 1e-8 + volume
        return x / scale, scale.view(-1, 1)

    def model_codes(self, codes: torch.Tensor, scale: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The codes as given, the scale checked: ``[batch, segments]``, and only for a renormalizing model."""
        if scale is None:
            return codes, None
        if not self.config.renormalize:
            raise ValueError(f"{type(self).__name__} does not renormalize its input: decode it with scale=None")
        scale = torch.as_tensor(scale, device=codes.device)
        if scale.dim() == 1:
            scale = scale[:, None]
        if scale.dim() != 2 or scale.shape[0] != codes.shape[0]:
            raise ValueError(f"{type(self).__name__}.decode expects scale shaped [batch, segments] as "
                             f"encode returns it, got {tuple(scale.shape)} for {codes.shape[0]} item(s)")
        return codes, scale


def _around_lstm(layers: nn.ModuleList) -> tuple[nn.ModuleList, SkipLSTM | None, nn.ModuleList]:
    """SEANet's layers before its LSTM, the LSTM (None without one), and the layers after it."""
    for index, layer in enumerate(layers):
        if isinstance(layer, SkipLSTM):
            return nn.ModuleList(layers[:index]), layer, nn.ModuleList(layers[index + 1:])
    return layers, None, nn.ModuleList()


def _channels_first(x: torch.Tensor) -> torch.Tensor:
    return x.transpose(1, 2)


def _time_major(x: torch.Tensor) -> torch.Tensor:
    """``x [B, C, T]`` seen as ``[B, T, C]`` (a view: the encoder's layers copy before they write)."""
    return x.transpose(1, 2)


def _time_major_copy(x: torch.Tensor) -> torch.Tensor:
    """``x [B, C, T]`` as a fresh ``[B, T, C]``: time-major layers activate their input in place,
    and a stage's input still holds the next chunk's context."""
    return x.transpose(1, 2).clone(memory_format=torch.contiguous_format)
