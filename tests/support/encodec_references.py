"""Reference EnCodec models (transformers, the encodec package) with random weights and seeded
codebooks, for parity tests and benchmarks.

The transformers models are the encodec plugin's own test weights
(``codecreg_encodec.test_weights``); the encodec package's models are seeded here with the
same seeder (``codecreg.testing.seed_residual_codebooks``), from what its quantizer receives.
"""

from __future__ import annotations

import torch

from codecreg.testing import SeedableCodebook, seed_residual_codebooks, synthetic_audio
from codecreg_encodec.test_weights import seeded_transformers_model, transformers_config

TRANSFORMERS_32KHZ = transformers_config("encodec_32khz")
TRANSFORMERS_24KHZ = transformers_config("encodec_24khz")
TRANSFORMERS_48KHZ = transformers_config("encodec_48khz")
# small enough for the fast tier, with every kind of layer: strided, dilated, LSTM, conv shortcut
TRANSFORMERS_SMALL = dict(
    TRANSFORMERS_32KHZ, sampling_rate=8000, num_filters=4, upsampling_ratios=[4, 2], codebook_size=64,
    target_bandwidths=[24.0], hidden_size=16, codebook_dim=16, num_lstm_layers=1, num_residual_layers=2,
)
transformers_model = seeded_transformers_model


@torch.no_grad()
def seed_package_codebooks(model, audio: torch.Tensor, seed: int = 0) -> None:
    """Seed an encodec package model's codebooks from its latent of ``audio`` (renormalized first
    for a model that normalizes)."""
    if model.normalize:
        audio = audio / audio.mean(1, keepdim=True).pow(2).mean(2, keepdim=True).sqrt()
    layers = model.quantizer.vq.layers
    seed_residual_codebooks(model.encoder(audio), [
        SeedableCodebook(layer._codebook.embed.shape[0], layer._codebook.embed.copy_,
                         lambda residual, layer=layer: layer.decode(layer.encode(residual)))
        for layer in layers], seed=seed)


def package_model(sample_rate: int, seed: int = 0):
    """The encodec package's 24 or 48 kHz model with random weights and seeded codebooks."""
    from encodec import EncodecModel

    torch.manual_seed(seed)
    build = EncodecModel.encodec_model_24khz if sample_rate == 24000 else EncodecModel.encodec_model_48khz
    model = build(pretrained=False)
    seed_package_codebooks(model, synthetic_audio(model.channels, 6 * sample_rate, sample_rate, seed=1234), seed)
    return model
