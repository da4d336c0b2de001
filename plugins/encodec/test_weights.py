"""Seeded test weights for the registered EnCodec names, in the layout the names load:
transformers' ``save_pretrained`` folder (config.json + model.safetensors) as the Hub repo
``facebook/<name>``. ``small`` keeps each model's rates, hop, codebooks, bandwidths and
segments with narrow layers and one LSTM layer; ``real`` is the published architecture.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from codecreg.testing import TestWeights

_SEANET = dict(num_residual_layers=1, kernel_size=7, last_kernel_size=7, residual_kernel_size=3,
               dilation_growth_rate=2, compress=2, num_lstm_layers=2, hidden_size=128, codebook_dim=128,
               pad_mode="reflect", trim_right_ratio=1.0)
#: transformers' EncodecConfig of each published model, every field set (its defaults are the 24 kHz model's)
TRANSFORMERS_CONFIGS: dict[str, dict[str, Any]] = {
    "encodec_24khz": dict(_SEANET, sampling_rate=24000, audio_channels=1, num_filters=32,
                          upsampling_ratios=[8, 5, 4, 2], codebook_size=1024,
                          target_bandwidths=[1.5, 3.0, 6.0, 12.0, 24.0], use_causal_conv=True,
                          norm_type="weight_norm", normalize=False, chunk_length_s=None, overlap=None,
                          use_conv_shortcut=True),
    "encodec_32khz": dict(_SEANET, sampling_rate=32000, audio_channels=1, num_filters=64,
                          upsampling_ratios=[8, 5, 4, 4], codebook_size=2048, target_bandwidths=[2.2],
                          use_causal_conv=False, norm_type="weight_norm", normalize=False,
                          chunk_length_s=None, overlap=None, use_conv_shortcut=False),
    "encodec_48khz": dict(_SEANET, sampling_rate=48000, audio_channels=2, num_filters=32,
                          upsampling_ratios=[8, 5, 4, 2], codebook_size=1024,
                          target_bandwidths=[3.0, 6.0, 12.0, 24.0], use_causal_conv=False,
                          norm_type="time_group_norm", normalize=True, chunk_length_s=1.0, overlap=0.01,
                          use_conv_shortcut=True),
}
#: narrow widths, one LSTM layer: every kind of layer stays (strided, dilated, LSTM, shortcut)
SMALL_WIDTHS = dict(num_filters=4, hidden_size=64, codebook_dim=64, num_lstm_layers=1)


def transformers_config(name: str, size: str = "real") -> dict[str, Any]:
    """The ``EncodecConfig`` fields of ``name`` at ``size``."""
    return {**TRANSFORMERS_CONFIGS[name], **(SMALL_WIDTHS if size == "small" else {})}


def recipe(name: str, size: str) -> TestWeights:
    fields = transformers_config(name, size)
    return TestWeights(config=fields, build=partial(save_seeded, fields), hub_repo=f"facebook/{name}",
                       libraries=("torch", "transformers"))


def save_seeded(fields: dict[str, Any], folder: Path) -> None:
    seeded_transformers_model(fields).save_pretrained(folder)


def seeded_transformers_model(fields: dict[str, Any], seed: int = 0):
    """A transformers ``EncodecModel`` (eval mode), weights from ``seed``, codebooks seeded."""
    import torch
    from transformers import EncodecConfig, EncodecModel

    from codecreg.testing import SeedableCodebook, seed_residual_codebooks, synthetic_audio

    config = EncodecConfig(**fields)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = EncodecModel(config).eval()
    length = int(1.0 * config.sampling_rate) // config.hop_length * config.hop_length
    audio = synthetic_audio(config.audio_channels, length, config.sampling_rate, seed=1000 + seed)
    if config.normalize:
        audio = audio / audio.mean(dim=1).pow(2).mean().sqrt()

    def write(codebook, rows):
        codebook.embed.copy_(rows)
        codebook.embed_avg.copy_(rows)
        codebook.cluster_size.fill_(1.0)
        codebook.inited.fill_(1.0)

    with torch.no_grad():
        layers = model.quantizer.layers
        seed_residual_codebooks(model.encoder(audio), [
            SeedableCodebook(layer.codebook.embed.shape[0], partial(write, layer.codebook),
                             lambda residual, layer=layer: layer.decode(layer.encode(residual)))
            for layer in layers], seed=seed)
    return model
