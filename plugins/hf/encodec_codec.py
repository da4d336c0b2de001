"""transformers' ``EncodecModel`` behind the CompressionModel contract.

What transformers does that the contract hides: ``encode`` uses the LOWEST
bandwidth when none is given (here: every codebook of the highest bandwidth unless
``set_num_codebooks`` says otherwise); codes come as ``(chunks, B, K, T)`` with a
padded last chunk and scales as a list per chunk (here: ``[B, K, T']`` with the
chunks' frames one after the other, as core's ``SegmentLayout`` lays them out, and
scales ``[B, chunks]``). transformers pads that last chunk and fails when a middle
chunk is short; the flat layout has no padding and no such case.
Frame rate, cardinality, channels and codebook counts are read from the config;
``set_num_codebooks`` takes any n from 1 to total, not only the trained bandwidths
(residual quantization makes the first n codes the same at every bandwidth).

Long audio: the model's own modules run as core's chunker stages: its layer lists
split around the LSTM (state carried), or its chunks as segments.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from codecreg import CompressionModel, codebooks_for_bandwidth
from codecreg.chunking import (Convolutional, Recurrent, SegmentedPlan, SegmentLayout, Stage, StagedPlan,
                               receptive_context)


class TransformersEncodec(CompressionModel, nn.Module):
    def __init__(self, model: nn.Module):
        nn.Module.__init__(self)
        self.model = model.eval()
        config = model.config
        self.hop = math.prod(config.upsampling_ratios)
        sample_rate, cardinality, total = int(config.sampling_rate), int(config.codebook_size), len(model.quantizer.layers)
        self.bandwidths = tuple(sorted(float(bw) for bw in config.target_bandwidths))
        self.normalize = bool(config.normalize)
        default = codebooks_for_bandwidth(self.bandwidths[-1], cardinality, sample_rate / self.hop)
        self.set_metadata(sample_rate=sample_rate, channels=int(config.audio_channels),
                          frame_rate=sample_rate / self.hop, cardinality=cardinality, total_codebooks=total,
                          num_codebooks=min(max(default, 1), total))
        self.chunks = (SegmentLayout(config.chunk_length, config.chunk_stride, self.hop)
                       if config.chunk_length and config.chunk_stride else None)

    # contract -------------------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Codes ``[B, K, T']``; the scale is ``[B, 1]`` (``[B, chunks]`` for a chunked model)
        when the model normalizes its input, else None. Items are encoded one at a time, as
        the native plugin does: oneDNN picks kernels by problem size, so in a batch an item
        could get other last bits, and a deep codebook another code."""
        if self.coding_plan() is not None:
            return super().encode(x)
        self.check_audio(x)
        x = self.model_audio(x)
        items = [self._normalize(item) for item in x.split(1)]  # normalized by the whole input's RMS
        codes = torch.cat([self.encode_by_plan(item, self._staged_plan(), whole=True)[0] for item, _ in items])
        return codes, torch.cat([scale for _, scale in items])

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, scale: torch.Tensor | None = None,
               length: int | None = None) -> torch.Tensor:
        """Audio ``[B, C, T]``: ``length`` samples when given, else all the codes cover."""
        if self.coding_plan() is not None:
            return super().decode(codes, scale, length)
        self.check_codes(codes)
        codes, scale = self.model_codes(codes, scale)
        audio = self.decode_by_plan(codes, None, length, self._staged_plan(), whole=True)
        return audio if scale is None else audio * scale.view(-1, 1, 1)

    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        """The sum of the codebook vectors, ``[B, D, T']``: the decoder's input."""
        self.check_codes(codes)
        return self._latent(codes.to(self._parameter().device).long())

    def frames_for(self, length: int) -> int:
        """A chunked model's chunks each give their own frames, one after the other."""
        return sum(self.chunks.frames_for(length)) if self.chunks is not None else super().frames_for(length)

    def coding_plan(self) -> StagedPlan | SegmentedPlan | None:
        """The model's chunks as segments; else its layers as stages, unless it normalizes by the
        RMS of the whole input (then it codes whole inputs only)."""
        if self.chunks is not None:
            return SegmentedPlan(self.chunks, self._encode_chunk, self._decode_chunk)
        return None if self.normalize else self._staged_plan()

    # internals ------------------------------------------------------------
    def _staged_plan(self) -> StagedPlan:
        return StagedPlan(self._encoder_stages(), self._decoder_stages(), self.hop)

    def _encoder_stages(self) -> list[Stage]:
        front, lstm, back = _around_lstm(self.model.encoder.layers)
        stages: list[Stage] = [Convolutional(lambda x: _run(front, x), receptive_context(front, self.hop),
                                             steps_in=self.hop)]
        if lstm is not None:
            stages += [Recurrent(lambda x, state: _lstm_step(lstm, x, state)),
                       Convolutional(lambda z: _run(back, z), receptive_context(back, 1))]
        return stages + [Convolutional(self._quantize)]

    def _decoder_stages(self) -> list[Stage]:
        front, lstm, back = _around_lstm(self.model.decoder.layers)
        latent = self._latent
        if lstm is None:
            return [Convolutional(lambda c: _run(front, latent(c)), receptive_context(front, 1), steps_out=self.hop)]
        return [Convolutional(lambda c: _run(front, latent(c)), receptive_context(front, 1)),
                Recurrent(lambda x, state: _lstm_step(lstm, x, state)),
                Convolutional(lambda z: _run(back, z), receptive_context(back, 1), steps_out=self.hop)]

    def _normalize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """As transformers and the encodec package: divide by the RMS of the mono mix (+1e-8)."""
        if not self.normalize:
            return x, None
        mono = x.sum(dim=1, keepdim=True) / x.shape[1]
        scale = mono.pow(2).mean(dim=-1, keepdim=True).sqrt() + 1e-8
        return x / scale, scale.view(-1, 1)

    def _encode_chunk(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        x, scale = self._normalize(x)
        return self._quantize(self.model.encoder(x)), scale

    def _decode_chunk(self, codes: torch.Tensor, scale: torch.Tensor | None) -> torch.Tensor:
        audio = self.model.decoder(self._latent(codes))
        return audio if scale is None else audio * scale.view(-1, 1, 1)

    def _quantize(self, latent: torch.Tensor) -> torch.Tensor:
        # the highest bandwidth, always: transformers would take the lowest for None
        codes = self.model.quantizer.encode(latent, self.bandwidths[-1])  # [K_all, B, T']
        return codes[: self.num_codebooks].transpose(0, 1)

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.quantizer.decode(codes.transpose(0, 1))

    def model_audio(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(self._parameter().device, self._parameter().dtype)

    def model_codes(self, codes: torch.Tensor, scale: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The codes on the model's device as int64, the scale there too, its shape checked."""
        codes = codes.to(self._parameter().device).long()
        batch = codes.shape[0]
        if scale is None:
            return codes, None
        scale = torch.as_tensor(scale, device=self._parameter().device, dtype=self._parameter().dtype)
        if scale.dim() == 1:
            scale = scale.view(-1, 1)
        if scale.dim() != 2 or scale.shape[0] != batch or (self.chunks is None and scale.shape[1] != 1):
            expected = "(batch, chunks)" if self.chunks else f"({batch}, 1)"
            raise ValueError(
                f"{type(self).__name__}.decode: scale has shape {tuple(scale.shape)}, expected "
                f"{expected} as encode returns it; pass scale=None to decode codes that come without one "
                "(e.g. from a language model)"
            )
        return codes, scale

    def _parameter(self) -> torch.Tensor:
        return next(self.model.parameters())


def _around_lstm(layers: nn.ModuleList) -> tuple[nn.ModuleList, nn.Module | None, nn.ModuleList]:
    """The layers before the model's LSTM, the LSTM (None without one), and the layers after it."""
    for index, layer in enumerate(layers):
        if isinstance(getattr(layer, "lstm", None), nn.LSTM):
            return nn.ModuleList(layers[:index]), layer, nn.ModuleList(layers[index + 1:])
    return layers, None, nn.ModuleList()


def _run(layers: nn.ModuleList, x: torch.Tensor) -> torch.Tensor:
    for layer in layers:
        x = layer(x)
    return x


def _lstm_step(layer: nn.Module, x: torch.Tensor, state: tuple | None) -> tuple[torch.Tensor, tuple]:
    """transformers' ``EncodecLSTM.forward`` from ``state``, returning the state after the last step."""
    steps = x.permute(2, 0, 1)
    y, state = layer.lstm(steps, state)
    return (y + steps).permute(1, 2, 0), state
