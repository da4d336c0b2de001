"""``hf:`` EnCodec against transformers' own EncodecModel on the same weights: codes equal,
audio close; transformers' shapes and defaults hidden behind the contract."""

from __future__ import annotations

import math

import pytest
import torch

from codecreg.testing import synthetic_audio

MONO_24 = "codecreg-tests/encodec_24khz-tiny"
MONO_32 = "codecreg-tests/encodec_32khz-tiny"
STEREO_48 = "codecreg-tests/encodec_48khz-tiny"


def assert_audio_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    assert actual.shape == expected.shape
    assert float((actual - expected).abs().max()) <= 1e-5 * float(expected.abs().max()) + 1e-7


def reference_codes(model, audio: torch.Tensor, bandwidth: float | None):
    """transformers' codes laid out as [B, K, T'] (chunks one after the other), and its scales."""
    with torch.no_grad():
        output = model.encode(audio, bandwidth=bandwidth)
    chunks = list(output.audio_codes)
    if output.last_frame_pad_length:
        chunks[-1] = chunks[-1][..., :-output.last_frame_pad_length]
    return torch.cat(chunks, dim=-1), output


@pytest.mark.parametrize("repo", [MONO_24, MONO_32, STEREO_48])
def test_codes_and_audio_match_transformers(hub_model, hf_codec, repo):
    """A batch through the plugin against each item through transformers (the plugin encodes
    items one at a time, so codes never depend on batching)."""
    model = hub_model(repo)
    codec = hf_codec(f"hf:{repo}")
    audio = synthetic_audio(codec.channels, int(1.337 * codec.sample_rate), codec.sample_rate, batch=2)
    codes, scale = codec.encode(audio)
    assert all(len(torch.unique(codes[0, k])) > 1 for k in range(codes.shape[1])), "a degenerate codebook"
    for item in range(audio.shape[0]):
        expected, output = reference_codes(model, audio[item:item + 1], max(model.config.target_bandwidths))
        assert torch.equal(codes[item:item + 1], expected)
        item_scale = None if scale is None else scale[item:item + 1]
        if model.config.normalize:
            assert torch.equal(item_scale, torch.cat(output.audio_scales, dim=1))
        else:
            assert scale is None
        with torch.no_grad():
            decoded = model.decode(output.audio_codes, output.audio_scales,
                                   last_frame_pad_length=output.last_frame_pad_length).audio_values
        assert_audio_close(codec.decode(codes[item:item + 1], item_scale), decoded)
        assert_audio_close(codec.decode(codes[item:item + 1], item_scale, length=audio.shape[-1]),
                           decoded[..., :audio.shape[-1]])


def test_default_is_every_codebook_of_the_highest_bandwidth(hub_model, hf_codec):
    model = hub_model(MONO_24)
    codec = hf_codec(f"hf:{MONO_24}")
    assert (codec.num_codebooks, codec.total_codebooks, codec.bitrate) == (32, 32, pytest.approx(24.0))
    audio = synthetic_audio(1, 4800, 24000)
    with torch.no_grad():  # the trap: transformers takes the LOWEST bandwidth when given none
        assert model.encode(audio).audio_codes.shape[2] == 2
    assert codec.encode(audio)[0].shape[1] == 32


@pytest.mark.parametrize("options, codebooks, bitrate, bandwidth", [
    ("bandwidth=6", 8, 6.0, 6.0),
    ("bw=1.5", 2, 1.5, 1.5),
    ("num_codebooks=4", 4, 3.0, 3.0),
    ("n_q=3", 3, 2.25, None),  # not a trained bandwidth: the first 3 codes of every setting
])
def test_bandwidth_and_num_codebooks_set_k_and_bitrate(hub_model, hf_codec, options, codebooks, bitrate, bandwidth):
    model = hub_model(MONO_24)
    codec = hf_codec(f"hf:{MONO_24}?{options}")
    assert (codec.num_codebooks, codec.bitrate) == (codebooks, pytest.approx(bitrate))
    audio = synthetic_audio(1, 6000, 24000, batch=2)
    codes = codec.encode(audio)[0]
    expected = torch.cat([reference_codes(model, item, bandwidth or 24.0)[0][:, :codebooks]
                          for item in audio.split(1)])  # item by item, as the plugin encodes
    assert codes.shape[1] == codebooks and torch.equal(codes, expected)
    with torch.no_grad():
        decoded = model.decode(expected[None], [None]).audio_values
    assert_audio_close(codec.decode(codes), decoded)


def test_set_num_codebooks_keeps_the_first_codes(hf_codec):
    codec = hf_codec(f"hf:{MONO_24}")
    audio = synthetic_audio(1, 6000, 24000)
    full = codec.encode(audio)[0]
    try:
        codec.set_num_codebooks(5)
        assert torch.equal(codec.encode(audio)[0], full[:, :5])
        assert codec.decode_latent(full[:, :5]).shape == (1, 64, full.shape[-1])
        with pytest.raises(ValueError, match="from 1 to 32"):
            codec.set_num_codebooks(33)
    finally:
        codec.set_num_codebooks(32)


@pytest.mark.parametrize("length", [1, 319, 321, 4817])
def test_exact_length_for_lengths_that_are_not_hop_multiples(hub_model, hf_codec, length):
    model = hub_model(MONO_24)
    codec = hf_codec(f"hf:{MONO_24}")
    audio = synthetic_audio(1, length, 24000)
    codes, scale = codec.encode(audio)
    assert codes.shape[-1] == math.ceil(length / 320)
    assert codec.decode(codes, scale).shape == (1, 1, codes.shape[-1] * 320)
    decoded = codec.decode(codes, scale, length=length)
    with torch.no_grad():
        output = model(audio, bandwidth=24.0)  # transformers trims to the padding mask
    assert_audio_close(decoded, output.audio_values)


def test_chunked_layout_where_transformers_cannot_stack_the_chunks(hub_model, hf_codec):
    model = hub_model(STEREO_48)
    codec = hf_codec(f"hf:{STEREO_48}")
    config = model.config
    length = 2 * config.chunk_stride + 100  # the middle chunk is short, the last one tiny
    audio = synthetic_audio(2, length, 48000)
    with pytest.raises(RuntimeError), torch.no_grad():
        model.encode(audio, bandwidth=24.0)
    codes, scale = codec.encode(audio)
    assert (codes.shape[-1], scale.shape) == (150 + 149 + 1, (1, 3))

    starts = range(0, length, config.chunk_stride)
    with torch.no_grad():  # the oracle: transformers' own per-chunk encoder, decoder and overlap-add
        frames = [model._encode_frame(audio[..., s:s + config.chunk_length], 24.0) for s in starts]
        assert torch.equal(codes, torch.cat([chunk for chunk, _ in frames], dim=-1))
        pieces = [model._decode_frame(chunk, chunk_scale) for chunk, chunk_scale in frames]
        expected = model._linear_overlap_add(pieces, config.chunk_stride)[..., :length]
    assert_audio_close(codec.decode(codes, scale, length=length), expected)


def test_chunk_scales_and_lengths_are_checked(hf_codec):
    codec = hf_codec(f"hf:{STEREO_48}")
    audio = synthetic_audio(2, 60000, 48000)
    codes, scale = codec.encode(audio)
    assert scale.shape == (1, 2)
    with pytest.raises(ValueError, match=r"189 frames cannot come from 1 segment"):
        codec.decode(codes, scale[:, :1])
    with pytest.raises(ValueError, match="1000000 samples encode to .* frames, but the codes have 189"):
        codec.decode(codes, scale, length=10 ** 6)
    unscaled = codec.decode(codes, None, length=60000)  # codes from a language model come without scales
    assert unscaled.shape == (1, 2, 60000) and bool(torch.isfinite(unscaled).all())
