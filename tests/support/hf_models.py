"""Seeded random-weight transformers EnCodec and DAC models, at the published architectures.

No pretrained weights can be downloaded here, so tests build the real architectures
with random weights. Random initialization leaves the RVQ codebooks degenerate
(transformers zeroes EnCodec's), which would let parity tests pass trivially, so
every builder seeds each codebook from latent frames of a test signal, layer by
layer on the residuals, as a k-means initialization would: codes vary from frame
to frame in every codebook. A build is deterministic for its seed, so two tests
that cache the same repo id write the same weights.

    model = build_encodec("encodec_32khz")                  # transformers EncodecModel, eval mode
    model = build_dac(44100)                                # transformers DacModel, eval mode
    cache_model(model, "facebook/encodec_32khz")            # into the offline Hub cache
    codec = codecreg.load_codec("hf:facebook/encodec_32khz")

``tiny=True`` keeps a model's geometry (sample rate, hop, codebooks, bandwidths,
chunking, channels) and shrinks its widths, for fast tests of everything but speed
and real-size numerics.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import torch
from transformers import DacConfig, DacModel, EncodecConfig, EncodecModel

from codecreg.testing import synthetic_audio
from support.hf_cache import put_in_hf_cache

_SEANET = dict(num_residual_layers=1, kernel_size=7, last_kernel_size=7, residual_kernel_size=3,
               dilation_growth_rate=2, pad_mode="reflect", compress=2, num_lstm_layers=2,
               trim_right_ratio=1.0, hidden_size=128, codebook_dim=128)

#: every field of the published transformers configs (EncodecConfig() defaults are the 24 kHz one's)
ENCODEC_CONFIGS: dict[str, dict] = {
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

#: DacConfig() defaults to the 16 kHz model: every model sets its sampling rate and rates
DAC_CONFIGS: dict[int, dict] = {
    44100: dict(sampling_rate=44100, encoder_hidden_size=64, downsampling_ratios=[2, 4, 8, 8],
                decoder_hidden_size=1536, n_codebooks=9, codebook_size=1024, codebook_dim=8),
    24000: dict(sampling_rate=24000, encoder_hidden_size=64, downsampling_ratios=[2, 4, 5, 8],
                decoder_hidden_size=1536, n_codebooks=32, codebook_size=1024, codebook_dim=8),
    16000: dict(sampling_rate=16000, encoder_hidden_size=64, downsampling_ratios=[2, 4, 5, 8],
                decoder_hidden_size=1536, n_codebooks=12, codebook_size=1024, codebook_dim=8),
}

_TINY_ENCODEC = dict(num_filters=4, hidden_size=64, codebook_dim=64, num_lstm_layers=1)
_TINY_DAC = dict(encoder_hidden_size=4, decoder_hidden_size=32)
#: seconds of test signal whose latent frames seed the codebooks
SEED_SECONDS = 1.0


def encodec_config(name: str, tiny: bool = False, **overrides) -> EncodecConfig:
    """The transformers config of ``name`` (a key of ENCODEC_CONFIGS), optionally shrunk or changed."""
    return EncodecConfig(**{**ENCODEC_CONFIGS[name], **(_TINY_ENCODEC if tiny else {}), **overrides})


def dac_config(sample_rate: int, tiny: bool = False, **overrides) -> DacConfig:
    """The transformers config of the DAC model for ``sample_rate`` (44100, 24000 or 16000)."""
    return DacConfig(**{**DAC_CONFIGS[sample_rate], **(_TINY_DAC if tiny else {}), **overrides})


@torch.no_grad()
def build_encodec(name: str | EncodecConfig, seed: int = 0, tiny: bool = False) -> EncodecModel:
    """A transformers EncodecModel with random weights from ``seed`` and seeded codebooks."""
    config = name if isinstance(name, EncodecConfig) else encodec_config(name, tiny)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = EncodecModel(config).eval()
    generator = torch.Generator().manual_seed(seed)
    audio = _seed_signal(config.audio_channels, config.sampling_rate, config.hop_length, seed)
    if config.normalize:
        audio = audio / audio.mean(dim=1).pow(2).mean().sqrt()
    residual = model.encoder(audio)  # [1, D, T]
    for layer in model.quantizer.layers:
        codebook = layer.codebook
        codebook.embed.copy_(_rows_like(residual[0].T, codebook.embed.shape[0], generator))
        codebook.embed_avg.copy_(codebook.embed)
        codebook.cluster_size.fill_(1.0)
        codebook.inited.fill_(1.0)
        residual = residual - layer.decode(layer.encode(residual))
    return model


@torch.no_grad()
def build_dac(sample_rate: int | DacConfig, seed: int = 0, tiny: bool = False) -> DacModel:
    """A transformers DacModel with random weights from ``seed`` and seeded codebooks."""
    config = sample_rate if isinstance(sample_rate, DacConfig) else dac_config(sample_rate, tiny)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = DacModel(config).eval()
    generator = torch.Generator().manual_seed(seed)
    residual = model.encoder(_seed_signal(1, config.sampling_rate, config.hop_length, seed))
    for quantizer in model.quantizer.quantizers:
        projected = quantizer.in_proj(residual)[0].T  # [T, codebook_dim]
        quantizer.codebook.weight.copy_(_rows_like(projected, quantizer.codebook.weight.shape[0], generator))
        residual = residual - quantizer(residual)[0]
    return model


def cache_model(model: EncodecModel | DacModel, repo_id: str, revision: str = "main") -> Path:
    """Save ``model`` with save_pretrained into the offline Hub cache as ``repo_id`` at ``revision``;
    returns the snapshot folder (its name is the commit hash)."""
    folder = Path(tempfile.mkdtemp(prefix="hf-model-"))
    try:
        model.save_pretrained(folder)
        return put_in_hf_cache(folder, repo_id, revision)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _seed_signal(channels: int, sample_rate: int, hop: int, seed: int) -> torch.Tensor:
    length = int(SEED_SECONDS * sample_rate) // hop * hop
    return synthetic_audio(channels, length, sample_rate, seed=1000 + seed)


def _rows_like(frames: torch.Tensor, rows: int, generator: torch.Generator) -> torch.Tensor:
    """``rows`` vectors drawn from ``frames`` [N, D] with replacement, each jittered by the frames'
    spread: a few seconds of signal give fewer frames than a codebook has rows, and without the
    jitter the residuals of those frames vanish after a few layers while other signals' do not,
    leaving the deeper codebooks degenerate for them."""
    picks = torch.randint(frames.shape[0], (rows,), generator=generator)
    spread = frames.std(dim=0, keepdim=True)
    return frames[picks] + spread * torch.randn(rows, frames.shape[1], generator=generator)
