"""The published architectures at their real sizes, loaded by their Hub repo ids from the
offline cache: the same codes as transformers and audio close to its decoder's."""

from __future__ import annotations

import math

import pytest
import torch

from codecreg.testing import synthetic_audio

pytestmark = pytest.mark.slow

#: repo id -> (sample rate, channels, frame rate, cardinality, total codebooks, default kbps)
PUBLISHED = {
    "facebook/encodec_24khz": (24000, 1, 75.0, 1024, 32, 24.0),
    "facebook/encodec_32khz": (32000, 1, 50.0, 2048, 4, 2.2),
    "facebook/encodec_48khz": (48000, 2, 150.0, 1024, 16, 24.0),
    "descript/dac_44khz": (44100, 1, 44100 / 512, 1024, 9, 9 * 10 * 44100 / 512 / 1000),
    "descript/dac_24khz": (24000, 1, 75.0, 1024, 32, 24.0),
    "descript/dac_16khz": (16000, 1, 50.0, 1024, 12, 6.0),
}


def assert_audio_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    assert actual.shape == expected.shape
    assert float((actual - expected).abs().max()) <= 1e-4 * float(expected.abs().max()) + 1e-6


@pytest.mark.parametrize("repo", sorted(PUBLISHED))
def test_metadata_is_read_from_the_config(hf_codec, repo):
    codec = hf_codec(f"hf:{repo}@main")
    sample_rate, channels, frame_rate, cardinality, total, kbps = PUBLISHED[repo]
    assert (codec.sample_rate, codec.channels, codec.cardinality, codec.total_codebooks) == (
        sample_rate, channels, cardinality, total)
    assert codec.frame_rate == pytest.approx(frame_rate, rel=1e-12) and isinstance(codec.frame_rate, float)
    assert codec.num_codebooks == total and codec.bitrate == pytest.approx(kbps)


@pytest.mark.parametrize("repo", [repo for repo in sorted(PUBLISHED) if repo.startswith("facebook/")])
def test_encodec_matches_transformers(hub_model, hf_codec, repo):
    model, codec = hub_model(repo), hf_codec(f"hf:{repo}")
    length = int(1.137 * codec.sample_rate)  # two chunks for the 48 kHz model
    audio = synthetic_audio(codec.channels, length, codec.sample_rate)
    codes, scale = codec.encode(audio)
    with torch.no_grad():
        output = model.encode(audio, bandwidth=max(model.config.target_bandwidths))
        decoded = model.decode(output.audio_codes, output.audio_scales,
                               last_frame_pad_length=output.last_frame_pad_length).audio_values
    chunks = list(output.audio_codes)
    if output.last_frame_pad_length:
        chunks[-1] = chunks[-1][..., :-output.last_frame_pad_length]
    assert torch.equal(codes, torch.cat(chunks, dim=-1))
    assert all(len(torch.unique(codes[0, k])) > 1 for k in range(codes.shape[1])), "a degenerate codebook"
    assert_audio_close(codec.decode(codes, scale), decoded)
    assert_audio_close(codec.decode(codes, scale, length=length), decoded[..., :length])


@pytest.mark.parametrize("repo", [repo for repo in sorted(PUBLISHED) if repo.startswith("descript/")])
def test_dac_matches_transformers_on_padded_input(hub_model, hf_codec, repo):
    model, codec = hub_model(repo), hf_codec(f"hf:{repo}")
    length = int(0.437 * codec.sample_rate)  # real-size DAC runs at about real time here
    audio = synthetic_audio(1, length, codec.sample_rate)
    codes, _ = codec.encode(audio)
    frames = math.ceil(length / codec.hop)
    padded = torch.nn.functional.pad(audio, (0, frames * codec.hop - length))
    with torch.no_grad():
        expected = model.encode(padded).audio_codes
        decoded = model.decode(audio_codes=expected).audio_values[:, None]
    assert codes.shape == (1, codec.total_codebooks, frames) and torch.equal(codes, expected)
    assert all(len(torch.unique(codes[0, k])) > 1 for k in range(codes.shape[1])), "a degenerate codebook"
    assert_audio_close(codec.decode(codes)[..., :decoded.shape[-1]], decoded)
    assert codec.decode(codes, length=length).shape == (1, 1, length)
