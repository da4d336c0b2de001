"""Our EnCodec against transformers' ``EncodecModel``, the same weights on both sides,
saved in transformers layout and loaded by our own loader (from a folder and from
an offline Hugging Face cache)."""

from __future__ import annotations

import pytest
import torch

import codecreg
from codecreg.testing import assert_codes_match_up_to_near_ties, checkpoint_folder, synthetic_audio
from support.hf_cache import put_in_hf_cache


def transformers_codes_and_audio(model, audio: torch.Tensor, bandwidth: float):
    """transformers' codes and decoded audio, item by item (it gives a batch other last bits
    than its items, which can change a code; ours encodes items one at a time)."""
    codes, decoded = [], []
    with torch.no_grad():
        for item in audio.split(1):
            encoded = model.encode(item, bandwidth=bandwidth)
            codes.append(encoded.audio_codes[0])
            decoded.append(model.decode(encoded.audio_codes, encoded.audio_scales).audio_values)
    return torch.cat(codes), torch.cat(decoded)


def test_small_model_matches_transformers_from_a_folder(small_transformers):
    model, folder = small_transformers
    ours = codecreg.load_codec(str(folder))
    audio = synthetic_audio(1, 8000 * 3 + 123, 8000, batch=2)
    expected_codes, expected_audio = transformers_codes_and_audio(model, audio, 24.0)
    codes, scale = ours.encode(audio)
    assert scale is None
    latent, codebooks = transformers_latent_and_codebooks(model, audio)  # our encoder computes differently:
    assert_codes_match_up_to_near_ties(codes, expected_codes, latent, codebooks)  # codes agree up to near-ties
    assert len(torch.unique(codes[:, 0])) > 10 and len(torch.unique(codes[:, -1])) > 10
    decoded = ours.decode(expected_codes)  # the same codes decoded by both
    assert decoded.shape == expected_audio.shape
    assert (decoded - expected_audio).abs().max() <= 1e-5


def test_small_model_loads_by_repo_id_from_an_offline_cache(small_transformers, hub_cache):
    model, folder = small_transformers
    put_in_hf_cache(folder, "facebook/encodec_32khz", cache_dir=hub_cache)
    audio = synthetic_audio(1, 8000, 8000)
    expected, _ = transformers_codes_and_audio(model, audio, 24.0)
    for name in ("encodec_32khz", "facebook/encodec_32khz", "//pretrained/facebook/encodec_32khz"):
        assert torch.equal(codecreg.load_codec(name).encode(audio)[0], expected), name


def test_a_revision_is_looked_up_in_the_cache(small_transformers, hub_cache):
    _, folder = small_transformers
    put_in_hf_cache(folder, "facebook/encodec_24khz", revision="v1", cache_dir=hub_cache)
    assert codecreg.load_codec("encodec_24khz?revision=v1").sample_rate == 8000
    with pytest.raises(codecreg.CheckpointError, match="encodec_24khz@v2 is not in the Hugging Face cache"):
        codecreg.load_codec("encodec_24khz?revision=v2")


def test_a_model_neither_cached_nor_reachable_says_how_to_fix_it(hub_cache):
    with pytest.raises(codecreg.CheckpointError) as error:
        codecreg.load_codec("encodec_48khz")
    message = str(error.value)
    assert "facebook/encodec_48khz" in message and "HF_HUB_OFFLINE" in message
    assert "HF_HOME" in message and "by its path" in message


def transformers_latent_and_codebooks(model, audio: torch.Tensor):
    """What transformers' quantizer receives, item by item, and its codebooks: the near-tie rule's inputs."""
    with torch.no_grad():
        latent = torch.cat([model.encoder(item) for item in audio.split(1)])
    return latent, [layer.codebook.embed for layer in model.quantizer.layers]


@pytest.mark.slow
@pytest.mark.parametrize("name, seconds", [("encodec_32khz", 10.0), ("encodec_24khz", 10.0)])
def test_real_size_matches_transformers(name, seconds):
    """The registered name's real-size test checkpoint, loaded by its folder and by transformers."""
    from transformers import EncodecModel

    folder = checkpoint_folder(name, "real")
    model = EncodecModel.from_pretrained(folder).eval()
    ours = codecreg.load_codec(str(folder))
    rate = model.config.sampling_rate
    audio = synthetic_audio(1, int(seconds * rate) + 77, rate, seed=5)
    bandwidths = model.config.target_bandwidths

    latent, codebooks = transformers_latent_and_codebooks(model, audio)
    expected_codes, _ = transformers_codes_and_audio(model, audio, bandwidths[-1])
    codes, _ = ours.encode(audio)
    assert codes.shape == expected_codes.shape and codes.shape[1] == ours.total_codebooks
    near_ties = assert_codes_match_up_to_near_ties(codes, expected_codes, latent, codebooks)
    print(f"{name}: {near_ties} of {codes.numel()} codes differ at near-ties")
    for k in (0, codes.shape[1] - 1):
        assert len(torch.unique(codes[0, k])) > 20, f"codebook {k} hardly varies: a degenerate test"
    with torch.no_grad():  # the same codes decoded by both
        expected_audio = model.decode(codes[None], [None]).audio_values
    assert (ours.decode(codes) - expected_audio).abs().max() <= 1e-5

    lowest = codecreg.load_codec(f"{folder}?bandwidth={bandwidths[0]}")
    low_codes, _ = transformers_codes_and_audio(model, audio, bandwidths[0])
    codes = lowest.encode(audio)[0]
    assert_codes_match_up_to_near_ties(codes, low_codes, latent, codebooks)
    with torch.no_grad():
        low_audio = model.decode(codes[None], [None]).audio_values
    assert (lowest.decode(codes) - low_audio).abs().max() <= 1e-5
