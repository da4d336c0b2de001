"""transformers' ``XcodecModel`` (X-Codec) and ``HiggsAudioV2TokenizerModel`` (Higgs Audio v2's
tokenizer, an X-Codec with a 24 kHz acoustic branch) behind the contract.

Both concatenate a DAC-style acoustic encoder's latent with HuBERT/WavLM features and quantize
the sum with an RVQ. transformers takes ``bandwidth=`` from ``config.target_bandwidths`` only;
here every codebook of the highest bandwidth is the default and ``set_num_codebooks`` takes any
n from 1 to total: the residual quantizer's first n codes are the same at every bandwidth, so
the codes are transformers' at the highest bandwidth, sliced.

transformers' semantic branch drops a partial last frame (HuBERT gives floor((T - 80) / 320) + 1
frames at 16 kHz: 1 for 321 samples), so the last samples would be lost and 1 to 79 samples
could not be encoded at all; here the input is zero-padded to a hop multiple first, as the
DAC adapter does, so frames = ceil(T / hop) and decoding covers the whole input.
"""

from __future__ import annotations

import torch
from torch import nn

from .tokenizer_codec import TransformersTokenizer


class TransformersXcodec(TransformersTokenizer):
    def __init__(self, model: nn.Module):
        config = model.config
        super().__init__(model, hop=int(config.hop_length))
        self.bandwidths = tuple(sorted(float(bw) for bw in config.target_bandwidths))
        self.set_metadata(sample_rate=int(config.sample_rate), channels=1,
                          frame_rate=int(config.sample_rate) / self.hop, cardinality=int(config.codebook_size),
                          total_codebooks=len(model.quantizer.quantizers))  # the highest bandwidth's count

    def _encode_item(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.pad(x, (0, -x.shape[-1] % self.hop))
        codes = self.model.encode(x, bandwidth=max(self.model.config.target_bandwidths), return_dict=True)
        return codes.audio_codes[:, : self.num_codebooks]

    def _decode(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.decode(codes, return_dict=True).audio_values

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        return self.model.quantizer.decode(codes.transpose(0, 1))
