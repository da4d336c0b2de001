"""``hf:`` DAC against transformers' own DacModel on the same weights: the input padded to a
hop multiple as the dac package pads it, a channel axis, and exact lengths."""

from __future__ import annotations

import math

import pytest
import torch

from codecreg.testing import synthetic_audio

DAC_24 = "codecreg-tests/dac_24khz-tiny"


def assert_audio_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    assert actual.shape == expected.shape
    assert float((actual - expected).abs().max()) <= 1e-5 * float(expected.abs().max()) + 1e-7


@pytest.fixture(scope="module")
def model(hub_model):
    return hub_model(DAC_24)


@pytest.mark.parametrize("length", [3200, 3300, 4817])
def test_codes_cover_every_sample_and_match_transformers_on_padded_input(model, hf_codec, length):
    codec = hf_codec(f"hf:{DAC_24}")
    audio = synthetic_audio(1, length, 24000, batch=2)
    codes, scale = codec.encode(audio)
    frames = math.ceil(length / 320)
    assert scale is None and codes.shape == (2, 32, frames)
    padded = torch.nn.functional.pad(audio, (0, frames * 320 - length))
    with torch.no_grad():
        expected = torch.cat([model.encode(item).audio_codes for item in padded.split(1)])  # as the plugin
    assert torch.equal(codes, expected)
    assert all(len(torch.unique(codes[0, k])) > 1 for k in range(32)), "a degenerate codebook"


def test_decode_adds_the_channel_axis_and_restores_the_length(model, hf_codec):
    codec = hf_codec(f"hf:{DAC_24}")
    audio = synthetic_audio(1, 3300, 24000, batch=2)
    codes, _ = codec.encode(audio)
    with torch.no_grad():
        expected = model.decode(audio_codes=codes).audio_values  # [B, T]: no channel axis
    # stride 5 without output padding: transformers gives 8 samples fewer than frames x hop
    assert expected.shape == (2, codes.shape[-1] * 320 - 8)
    full = codec.decode(codes)
    assert full.shape == (2, 1, codes.shape[-1] * 320)
    assert_audio_close(full[..., :-8], expected[:, None])
    assert not bool(full[..., -8:].any())
    assert_audio_close(codec.decode(codes, length=3300), expected[:, None, :3300])


@pytest.mark.parametrize("options, codebooks, bitrate", [
    ("num_codebooks=4", 4, 3.0),
    ("bandwidth=6", 8, 6.0),
])
def test_codebook_options_set_k_and_bitrate(model, hf_codec, options, codebooks, bitrate):
    codec = hf_codec(f"hf:{DAC_24}?{options}")
    assert (codec.num_codebooks, codec.total_codebooks, codec.bitrate) == (codebooks, 32, pytest.approx(bitrate))
    audio = synthetic_audio(1, 3200, 24000)
    codes = codec.encode(audio)[0]
    with torch.no_grad():
        expected = model.encode(audio, n_quantizers=codebooks).audio_codes
    assert torch.equal(codes, expected) and codes.shape[1] == codebooks
    with torch.no_grad():
        decoded = model.decode(audio_codes=codes).audio_values
    assert_audio_close(codec.decode(codes)[..., :-8], decoded[:, None])


def test_decode_latent_is_the_decoders_input(model, hf_codec):
    codec = hf_codec(f"hf:{DAC_24}")
    codes = codec.encode(synthetic_audio(1, 3200, 24000))[0]
    with torch.no_grad():
        expected = model.quantizer.from_codes(codes)[0]
    assert torch.equal(codec.decode_latent(codes), expected)
    assert codec.decode_latent(codes).shape == (1, model.config.hidden_size, 10)


def test_metadata_comes_from_the_config(hf_codec):
    codec = hf_codec(f"hf:{DAC_24}")
    assert (codec.sample_rate, codec.channels, codec.cardinality, codec.total_codebooks) == (24000, 1, 1024, 32)
    assert isinstance(codec.frame_rate, float) and codec.frame_rate == 75.0
    assert codec.bitrate == pytest.approx(24.0)
