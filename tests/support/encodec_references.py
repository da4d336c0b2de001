"""Reference EnCodec models (transformers, the encodec package) with random weights at the
real sizes and seeded codebooks, for parity tests and benchmarks.

Random codebooks make every frame pick the same entry, and any two
implementations then agree trivially. Here each codebook is filled, layer by
layer as k-means initialization would, with latent frames (plus noise) of a
signal other than the test signals, quantized by the previous codebooks.
"""

from __future__ import annotations

import torch

from codecreg.testing import synthetic_audio


def seed_codebooks(embeds: list[torch.Tensor], latent: torch.Tensor, seed: int = 0) -> None:
    """Fill each ``embed [N, D]`` with frames of ``latent [B, D, T]``'s residual, plus noise scaled
    by each dimension's spread over time (random encoders vary little over time around a large offset)."""
    generator = torch.Generator().manual_seed(seed)
    residual = latent.permute(0, 2, 1).reshape(-1, latent.shape[1])
    for embed in embeds:
        pick = torch.randint(0, residual.shape[0], (embed.shape[0],), generator=generator)
        noise = torch.randn(embed.shape, generator=generator)
        embed.copy_(residual[pick] + residual.std(0, keepdim=True) * noise)
        distances = torch.cdist(residual, embed)
        residual = residual - embed[distances.argmin(-1)]


def seeding_audio(channels: int, sample_rate: int, seconds: float = 6.0) -> torch.Tensor:
    return synthetic_audio(channels, int(seconds * sample_rate), sample_rate, batch=1, seed=1234)


# transformers' EncodecConfig for each published model, every field set (its defaults are the 24 kHz model's)
TRANSFORMERS_32KHZ = dict(
    sampling_rate=32000, audio_channels=1, num_filters=64, upsampling_ratios=[8, 5, 4, 4], codebook_size=2048,
    target_bandwidths=[2.2], hidden_size=128, use_causal_conv=False, norm_type="weight_norm", normalize=False,
    pad_mode="reflect", num_lstm_layers=2, compress=2, residual_kernel_size=3, dilation_growth_rate=2,
    kernel_size=7, last_kernel_size=7, num_residual_layers=1, codebook_dim=128, chunk_length_s=None,
    overlap=None, use_conv_shortcut=False, trim_right_ratio=1.0,
)
TRANSFORMERS_24KHZ = dict(
    TRANSFORMERS_32KHZ, sampling_rate=24000, num_filters=32, upsampling_ratios=[8, 5, 4, 2], codebook_size=1024,
    target_bandwidths=[1.5, 3.0, 6.0, 12.0, 24.0], use_causal_conv=True, use_conv_shortcut=True,
)
TRANSFORMERS_48KHZ = dict(
    TRANSFORMERS_24KHZ, sampling_rate=48000, audio_channels=2, target_bandwidths=[3.0, 6.0, 12.0, 24.0],
    use_causal_conv=False, norm_type="time_group_norm", normalize=True, chunk_length_s=1.0, overlap=0.01,
)
# small enough for the fast tier, with every kind of layer: strided, dilated, LSTM, conv shortcut
TRANSFORMERS_SMALL = dict(
    TRANSFORMERS_32KHZ, sampling_rate=8000, num_filters=4, upsampling_ratios=[4, 2], codebook_size=64,
    target_bandwidths=[24.0], hidden_size=16, codebook_dim=16, num_lstm_layers=1, num_residual_layers=2,
)


def transformers_model(fields: dict, seed: int = 0):
    """A transformers ``EncodecModel`` with random weights and seeded codebooks."""
    from transformers import EncodecConfig, EncodecModel

    torch.manual_seed(seed)
    model = EncodecModel(EncodecConfig(**fields)).eval()
    audio = seeding_audio(fields["audio_channels"], fields["sampling_rate"])
    with torch.no_grad():
        if fields["normalize"]:
            audio = audio / audio.mean(1, keepdim=True).pow(2).mean(2, keepdim=True).sqrt()
        latent = model.encoder(audio)
        seed_codebooks([layer.codebook.embed for layer in model.quantizer.layers], latent, seed)
    return model


def package_model(sample_rate: int, seed: int = 0):
    """The encodec package's 24 or 48 kHz model with random weights and seeded codebooks."""
    from encodec import EncodecModel

    torch.manual_seed(seed)
    build = EncodecModel.encodec_model_24khz if sample_rate == 24000 else EncodecModel.encodec_model_48khz
    model = build(pretrained=False)
    audio = seeding_audio(model.channels, sample_rate)
    with torch.no_grad():
        if model.normalize:
            audio = audio / audio.mean(1, keepdim=True).pow(2).mean(2, keepdim=True).sqrt()
        latent = model.encoder(audio)
        seed_codebooks([layer._codebook.embed for layer in model.quantizer.vq.layers], latent, seed)
    return model
