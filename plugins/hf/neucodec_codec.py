"""transformers' ``NeuCodecModel`` behind the contract: XCodec2's design (one FSQ codebook of
65536, a Wav2Vec2-BERT semantic branch fed by the family's feature extractor) with a decoder
that writes 24 kHz from a 16 kHz encoder.

The codec's ``sample_rate`` is the decoder's 24 kHz, so that audio in and out share one rate
(what the contract has): ``encode`` resamples its 24 kHz input to the encoder's 16 kHz with
``torchaudio.functional.resample`` (as transformers' Higgs Audio tokenizer resamples for its
semantic branch) before the feature extractor. 50 frames per second, 480 output samples each.
"""

from __future__ import annotations

from typing import Any

import torch

from .xcodec2_codec import TransformersXcodec2


class TransformersNeuCodec(TransformersXcodec2):
    @property
    def encoder_rate(self) -> int:
        return int(self.model.config.input_sampling_rate)

    @property
    def encoder_hop(self) -> int:
        return int(self.model.config.encoder_hop_length)

    def _rates(self, config: Any) -> tuple[int, float]:
        """Audio at the decoder's rate; frames at the encoder's."""
        return int(config.output_sampling_rate), int(config.input_sampling_rate) / int(config.encoder_hop_length)

    def frames_for(self, samples: int) -> int:
        """The frames of ``samples`` samples at 24 kHz: resampled to 16 kHz, then as XCodec2 pads."""
        return self.resampled_length(samples) // self.encoder_hop + 1

    def resampled_length(self, samples: int) -> int:
        return -(-samples * self.encoder_rate // self.sample_rate)

    def _features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        import torchaudio

        return super()._features(torchaudio.functional.resample(x, self.sample_rate, self.encoder_rate))
