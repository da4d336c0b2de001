"""S3Tokenizer through the codecreg contract, encode only.

``encode`` computes the package's own 128-band log-mel spectrogram of each item and runs the
package's ``S3Tokenizer.quantize`` on it (its handling of inputs over 30 s included). The
checkpoint is the package's ONNX file, read by its own ``init_from_onnx``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from codecreg import EncodeOnlyModel
from codecreg.checkpoints import fetch

from .registration import MODELS

HOP = 160  # samples per mel frame at 16 kHz


class S3TokenizerCodec(EncodeOnlyModel, nn.Module):
    def __init__(self, model, frame_rate: float):
        nn.Module.__init__(self)
        self.model = model
        self.mel_stride = round(100 / frame_rate)  # mel frames (100/s) per token
        self.set_metadata(sample_rate=16000, channels=1, frame_rate=frame_rate,
                          cardinality=model.config.n_codebook_size, total_codebooks=1)

    def frames_for(self, length: int) -> int:
        frames = length // HOP  # the package drops the STFT's last frame
        for _ in range(int(math.log2(self.mel_stride))):  # each stride-2 convolution: ceil(n / 2)
            frames = (frames - 1) // 2 + 1
        return frames

    @torch.no_grad()
    def encode(self, x):
        import s3tokenizer

        self.check_audio(x)
        codes = []
        for item in x:  # one at a time: an item's tokens never depend on its batch
            mel = s3tokenizer.log_mel_spectrogram(item[0], n_mels=self.model.config.n_mels)
            tokens, count = self.model.quantize(mel[None], torch.tensor([mel.shape[-1]], device=mel.device))
            codes.append(tokens[:, : int(count[0])].clone().long())
        return torch.stack(codes), None


def load(name: str, device="cpu") -> S3TokenizerCodec:
    import s3tokenizer
    from s3tokenizer.model import S3Tokenizer

    model_name, rate = MODELS[name]
    path = fetch(s3tokenizer._MODELS[model_name], "s3tokenizer", filename=f"{model_name}.onnx",
                 hint="s3tokenizer.load_model downloads the same file into ~/.cache/s3tokenizer: copy it here")
    model = S3Tokenizer(model_name)  # as s3tokenizer.load_model builds it, from the model's name
    model.init_from_onnx(str(path))
    codec = S3TokenizerCodec(model.eval(), rate).to(device).eval()
    codec.name = name
    return codec


def build_v1(device="cpu"):
    return load("s3tokenizer_v1", device)


def build_v1_25hz(device="cpu"):
    return load("s3tokenizer_v1_25hz", device)
