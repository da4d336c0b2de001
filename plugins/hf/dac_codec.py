"""transformers' ``DacModel`` behind the CompressionModel contract.

What transformers does that the contract hides: ``DacModel`` does not pad its
input to a multiple of the hop, so it drops a partial last frame (861 frames for
10 s at 44.1 kHz where the dac package gives 862); here the input is padded with
zeros first, as the dac package does, so frames = ceil(T / hop). Its ``decode``
returns ``(B, T)`` without a channel axis, and for the 16 and 24 kHz models
(upsampling stride 5, no output padding, as in the dac package) 8 samples fewer
than frames x hop; here the result is ``[B, 1, frames x hop]``, the missing tail zero.
Long audio: encoder and decoder are convolution stacks, one chunker stage each.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from codecreg import CompressionModel
from codecreg.chunking import Convolutional, StagedPlan, receptive_context

from .lengths import pad_end


class TransformersDac(CompressionModel, nn.Module):
    def __init__(self, model: nn.Module):
        nn.Module.__init__(self)
        self.model = model.eval()  # quantizer dropout ignores n_quantizers in training mode
        config = model.config
        self.hop = math.prod(config.downsampling_ratios)
        self.set_metadata(sample_rate=int(config.sampling_rate), channels=int(model.encoder.conv1.in_channels),
                          frame_rate=int(config.sampling_rate) / self.hop, cardinality=int(config.codebook_size),
                          total_codebooks=len(model.quantizer.quantizers))

    # contract: encode and decode are the base class's, through the coding plan (items one at a
    # time, so that an item's codes never depend on its batch: oneDNN picks kernels by problem size)
    def model_audio(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(self._parameter().device, self._parameter().dtype)

    def model_codes(self, codes: torch.Tensor, scale: torch.Tensor | None) -> tuple[torch.Tensor, None]:
        """The codes on the model's device as int64; DAC has no scale (one given is ignored, as ever)."""
        return codes.to(self._parameter().device).long(), None

    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        """The sum of the codebooks' projected vectors, ``[B, D, T']``: the decoder's input."""
        self.check_codes(codes)
        return self.model.quantizer.from_codes(codes.to(self._parameter().device).long())[0]

    def coding_plan(self) -> StagedPlan:
        model = self.model
        return StagedPlan(
            encoder=[Convolutional(self._encode_frames, receptive_context(model.encoder, self.hop), steps_in=self.hop)],
            decoder=[Convolutional(self._decode_frames, receptive_context(model.decoder, 1), steps_out=self.hop)],
            hop=self.hop)

    # internals ------------------------------------------------------------
    def _encode_frames(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.pad(x, (0, -x.shape[-1] % self.hop))
        codes = self.model.encode(x, n_quantizers=self.num_codebooks, return_dict=True).audio_codes
        return codes[:, : self.num_codebooks].long()

    def _decode_frames(self, codes: torch.Tensor) -> torch.Tensor:
        audio = self.model.decode(audio_codes=codes, return_dict=True).audio_values  # [B, T]
        return pad_end(audio[:, None], codes.shape[-1] * self.hop)

    def _parameter(self) -> torch.Tensor:
        return next(self.model.parameters())
