"""transformers' ``NeuCodecModel`` behind the contract: XCodec2's design (one FSQ codebook of
65536, a Wav2Vec2-BERT semantic branch fed by the family's feature extractor) with a decoder
that writes 24 kHz from a 16 kHz encoder.

The codec's ``sample_rate`` is the decoder's 24 kHz, so that audio in and out share one rate
(what the contract has): ``encode`` resamples its 24 kHz input to the encoder's 16 kHz with
``torchaudio.functional.resample`` (as transformers' Higgs Audio tokenizer resamples for its
semantic branch) before the feature extractor. 50 frames per second, 480 output samples each.

The model keeps the shorter of its two branches, and the semantic one drops a partial last
frame (it is fed the waveform padded to a hop multiple, without the half-hop margins XCodec2
adds), so the last up to 959 samples would be lost; here the 24 kHz input is zero-padded to a
multiple of 480 before resampling, which makes the encoder's input a multiple of 320 and gives
frames = ceil(T / 480): decoding covers the whole input.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from .xcodec2_codec import TransformersXcodec2


class TransformersNeuCodec(TransformersXcodec2):
    @property
    def encoder_rate(self) -> int:
        return int(self.model.config.input_sampling_rate)

    @property
    def encoder_hop(self) -> int:
        return int(self.model.config.encoder_hop_length)

    def frames_for(self, length: int) -> int:
        """The input is padded to a whole number of hops, without XCodec2's extra sample."""
        return math.ceil(length / self.hop)

    def _rates(self, config: Any) -> tuple[int, float]:
        """Audio at the decoder's rate; frames at the encoder's."""
        return int(config.output_sampling_rate), int(config.input_sampling_rate) / int(config.encoder_hop_length)

    def _features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        import torchaudio

        x = nn.functional.pad(x, (0, -x.shape[-1] % self.hop))  # a whole number of encoder hops once resampled
        return super()._features(torchaudio.functional.resample(x, self.sample_rate, self.encoder_rate))
