"""transformers' ``WavTokenizerModel`` behind the contract: one codebook (4096 entries for the
published 40-token model), an EnCodec-style convolutional encoder with an LSTM, a Vocos
decoder (ConvNeXt blocks, one attention block over the whole input, an inverse STFT).

transformers' encoder pads internally and gives ceil(T / hop) codes; its decoder gives frames
x hop samples, here ``[B, 1, T]``. A single codebook: ``set_num_codebooks`` accepts only 1.
"""

from __future__ import annotations

import torch
from torch import nn

from .tokenizer_codec import SingleCodebookTokenizer


class TransformersWavTokenizer(SingleCodebookTokenizer):
    def __init__(self, model: nn.Module):
        config = model.config
        super().__init__(model, hop=int(config.hop_length))
        self.set_metadata(sample_rate=int(config.sampling_rate), channels=int(config.audio_channels),
                          frame_rate=int(config.sampling_rate) / self.hop, cardinality=int(config.codebook_size),
                          total_codebooks=1)

    def _encode_item(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.encode(x, return_dict=True).audio_codes

    def _decode(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.decode(codes, return_dict=True).audio_values

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.encoder_model.quantizer.decode(codes[:, 0])
