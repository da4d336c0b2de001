"""Seeded random-weight transformers EnCodec and DAC models, at the published architectures.

No pretrained weights can be downloaded here, so tests build the real architectures with
random weights and seeded codebooks (``codecreg.testing.seed_residual_codebooks``: codes vary
from frame to frame in every codebook). EnCodec comes from the encodec plugin's recipe
(``codecreg_encodec.test_weights``, the same configs and seeding as the registered names' test
weights); DAC is built here, as transformers' ``DacModel`` (the dac plugin's recipe writes the
dac package's format). A build is deterministic for its seed, so two tests that cache the same
repo id write the same weights.

    model = build_encodec("encodec_32khz")                  # transformers EncodecModel, eval mode
    model = build_dac(44100)                                # transformers DacModel, eval mode
    cache_model(model, "facebook/encodec_32khz")            # into the offline Hub cache
    codec = codecreg.load_codec("hf:facebook/encodec_32khz")

``tiny=True`` keeps a model's geometry (sample rate, hop, codebooks, bandwidths, chunking,
channels) and shrinks its widths (EnCodec: the recipe's ``small`` size), for fast tests of
everything but speed and real-size numerics.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import partial
from pathlib import Path

import torch
from transformers import DacConfig, DacModel, EncodecConfig, EncodecModel

from codecreg.testing import SeedableCodebook, seed_residual_codebooks, synthetic_audio
from codecreg_encodec.test_weights import seeded_transformers_model, transformers_config
from support.hf_cache import put_in_hf_cache

#: DacConfig() defaults to the 16 kHz model: every model sets its sampling rate and rates
DAC_CONFIGS: dict[int, dict] = {
    44100: dict(sampling_rate=44100, encoder_hidden_size=64, downsampling_ratios=[2, 4, 8, 8],
                decoder_hidden_size=1536, n_codebooks=9, codebook_size=1024, codebook_dim=8),
    24000: dict(sampling_rate=24000, encoder_hidden_size=64, downsampling_ratios=[2, 4, 5, 8],
                decoder_hidden_size=1536, n_codebooks=32, codebook_size=1024, codebook_dim=8),
    16000: dict(sampling_rate=16000, encoder_hidden_size=64, downsampling_ratios=[2, 4, 5, 8],
                decoder_hidden_size=1536, n_codebooks=12, codebook_size=1024, codebook_dim=8),
}
_TINY_DAC = dict(encoder_hidden_size=4, decoder_hidden_size=32)


def encodec_config(name: str, tiny: bool = False, **overrides) -> EncodecConfig:
    """The transformers config of the published EnCodec ``name``, optionally shrunk or changed."""
    return EncodecConfig(**{**transformers_config(name, "small" if tiny else "real"), **overrides})


def dac_config(sample_rate: int, tiny: bool = False, **overrides) -> DacConfig:
    """The transformers config of the DAC model for ``sample_rate`` (44100, 24000 or 16000)."""
    return DacConfig(**{**DAC_CONFIGS[sample_rate], **(_TINY_DAC if tiny else {}), **overrides})


def build_encodec(name: str | EncodecConfig, seed: int = 0, tiny: bool = False) -> EncodecModel:
    """A transformers EncodecModel with random weights from ``seed`` and seeded codebooks."""
    fields = name.to_diff_dict() if isinstance(name, EncodecConfig) else transformers_config(
        name, "small" if tiny else "real")
    fields.pop("transformers_version", None)
    return seeded_transformers_model(fields, seed)


@torch.no_grad()
def build_dac(sample_rate: int | DacConfig, seed: int = 0, tiny: bool = False) -> DacModel:
    """A transformers DacModel with random weights from ``seed``, every codebook seeded in its
    projected (codebook_dim) space, where the lookup happens."""
    config = sample_rate if isinstance(sample_rate, DacConfig) else dac_config(sample_rate, tiny)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = DacModel(config).eval()
    length = config.sampling_rate // config.hop_length * config.hop_length
    audio = synthetic_audio(1, length, config.sampling_rate, seed=1000 + seed)
    seed_residual_codebooks(model.encoder(audio), [
        SeedableCodebook(quantizer.codebook.weight.shape[0], quantizer.codebook.weight.copy_,
                         partial(_quantized, quantizer), project=quantizer.in_proj)
        for quantizer in model.quantizer.quantizers], seed=seed)
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


def _quantized(quantizer: torch.nn.Module, residual: torch.Tensor) -> torch.Tensor:
    return quantizer(residual)[0]
