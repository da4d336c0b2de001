"""transformers' ``MimiModel`` (Kyutai's Mimi: Moshi's and Sesame CSM's tokenizer) behind the contract.

Mimi quantizes with a split RVQ: codebook 0 is semantic (distilled from WavLM), codebooks
1 to 31 acoustic. ``encode(num_quantizers=n)`` gives the first n of them, so
``set_num_codebooks`` takes any n from 1 to 32 (every one by default). Its convolutions are
causal and its transformers attend over a sliding window: frames = ceil(T / 1920) at 24 kHz.
"""

from __future__ import annotations

import torch
from torch import nn

from .tokenizer_codec import TransformersTokenizer


class TransformersMimi(TransformersTokenizer):
    def __init__(self, model: nn.Module):
        config = model.config
        sample_rate = int(config.sampling_rate)
        super().__init__(model, hop=round(sample_rate / config.frame_rate))
        self.set_metadata(sample_rate=sample_rate, channels=int(config.audio_channels),
                          frame_rate=float(config.frame_rate), cardinality=int(config.codebook_size),
                          total_codebooks=int(config.num_quantizers))
        self.semantic_codebooks = int(config.num_semantic_quantizers)

    def _encode_item(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.encode(x, num_quantizers=self.num_codebooks, return_dict=True).audio_codes

    def _decode(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.decode(codes, return_dict=True).audio_values

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.quantizer.decode(codes)
