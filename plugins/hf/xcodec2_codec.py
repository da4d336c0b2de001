"""transformers' ``Xcodec2Model`` (Llasa's tokenizer) behind the contract.

XCodec2 quantizes with one finite scalar quantizer (8 dimensions of 4 levels: 65536 codes) the
fused output of an acoustic encoder and a Wav2Vec2-BERT semantic encoder. The semantic encoder
takes ``input_features`` (80-bin log-mel filterbanks, two frames stacked) which the family's
own feature extractor computes, read from the checkpoint's ``preprocessor_config.json``; it
also pads the waveform by one sample and then to a hop multiple, as the original code does,
so T samples give T // hop + 1 frames (not ceil(T / hop)).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from .tokenizer_codec import SingleCodebookTokenizer


class TransformersXcodec2(SingleCodebookTokenizer):
    def __init__(self, model: nn.Module, feature_extractor: Any):
        config = model.config
        super().__init__(model, hop=int(config.hop_length))
        self.feature_extractor = feature_extractor
        sample_rate, frame_rate = self._rates(config)
        self.set_metadata(sample_rate=sample_rate, channels=1, frame_rate=frame_rate,
                          cardinality=math.prod(config.quantization_levels), total_codebooks=1)

    def frames_for(self, length: int) -> int:
        """The feature extractor pads one sample, then to a hop multiple."""
        return length // self.hop + 1

    def _rates(self, config: Any) -> tuple[int, float]:
        """(audio samples per second, frames per second)."""
        return int(config.sampling_rate), int(config.sampling_rate) / self.hop

    def _encode_item(self, x: torch.Tensor) -> torch.Tensor:
        inputs = self._features(x)
        return self.model.encode(**inputs, return_dict=True).audio_codes

    def _features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """The feature extractor's inputs for one item at its own sample rate, on the model's device."""
        features = self.feature_extractor(x[0, 0].cpu(), sampling_rate=self.feature_extractor.sampling_rate,
                                          return_tensors="pt")
        return {key: value.to(x.device) for key, value in features.items() if value is not None}

    def _decode(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.decode(audio_codes=codes, return_dict=True).audio_values

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.quantizer.from_codes(codes.transpose(1, 2)).transpose(1, 2)
