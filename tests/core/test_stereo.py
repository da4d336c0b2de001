"""Stereo from a mono codec (MusicGen's layout): audiocraft's InterleaveStereoCompressionModel rules,
written from its definition, on the debug codec, and the contract kit over both layouts."""

from __future__ import annotations

import pytest
import torch

import codecreg
from codecreg.codec.stereo import InterleavedStereo
from codecreg.testing import CompressionModelContract, synthetic_audio


def mono():
    return codecreg.load_codec("debug")


@pytest.fixture(scope="module")
def stereo_audio():
    return synthetic_audio(2, 32000 + 123, 32000, batch=2, seed=5)


def test_per_codebook_rows_alternate_left_and_right(stereo_audio):
    codec, reference = InterleavedStereo(mono()), mono()
    codes, scale = codec.encode(stereo_audio)
    left, _ = reference.encode(stereo_audio[:, :1])
    right, _ = reference.encode(stereo_audio[:, 1:])
    assert scale is None and codes.shape == (2, 8, left.shape[-1])
    # audiocraft: rearrange(stack([left, right]), 'c b k t -> b (k c) t')
    assert torch.equal(codes, torch.stack([left, right]).permute(1, 2, 0, 3).reshape(2, 8, -1))
    assert torch.equal(codes[:, 0::2], left) and torch.equal(codes[:, 1::2], right)
    assert (codec.channels, codec.num_codebooks, codec.total_codebooks, codec.frame_rate) == (2, 8, 8, 25.0)
    assert not torch.equal(left, right)  # the test signal's channels differ: the layout is visible


def test_per_timestep_frames_alternate_left_and_right(stereo_audio):
    codec, reference = InterleavedStereo(mono(), per_timestep=True), mono()
    codes, _ = codec.encode(stereo_audio)
    left, _ = reference.encode(stereo_audio[:, :1])
    right, _ = reference.encode(stereo_audio[:, 1:])
    # audiocraft: rearrange(stack([left, right]), 'c b k t -> b k (t c)')
    assert torch.equal(codes, torch.stack([left, right]).permute(1, 2, 3, 0).reshape(2, 4, -1))
    assert (codec.num_codebooks, codec.total_codebooks, codec.frame_rate) == (4, 4, 50.0)


@pytest.mark.parametrize("per_timestep", [False, True])
def test_decode_equals_each_channel_decoded_alone(per_timestep, stereo_audio):
    codec, reference = InterleavedStereo(mono(), per_timestep), mono()
    codes, _ = codec.encode(stereo_audio)
    decoded = codec.decode(codes, length=stereo_audio.shape[-1])
    for channel in (0, 1):
        alone, _ = reference.encode(stereo_audio[:, channel:channel + 1])
        assert torch.equal(decoded[:, channel:channel + 1], reference.decode(alone, length=stereo_audio.shape[-1]))


def test_num_codebooks_counts_rows_and_keeps_each_level_of_both_channels(stereo_audio):
    codec, reference = InterleavedStereo(mono()), mono()
    codec.set_num_codebooks(4)
    reference.set_num_codebooks(2)
    codes, _ = codec.encode(stereo_audio)
    assert codes.shape[1] == 4 and torch.equal(codes[:, 0::2], reference.encode(stereo_audio[:, :1])[0])
    assert codec.bitrate == pytest.approx(2 * reference.bitrate)
    with pytest.raises(ValueError, match="must be even"):
        codec.set_num_codebooks(3)


def test_a_stereo_codec_cannot_be_wrapped():
    with pytest.raises(ValueError, match="wraps a mono codec"):
        InterleavedStereo(codecreg.load_codec("debug?channels=2"))


def test_codes_with_an_odd_frame_count_are_refused_per_timestep():
    codec = InterleavedStereo(mono(), per_timestep=True)
    with pytest.raises(ValueError, match="even number of frames"):
        codec.decode(torch.zeros(1, 4, 7, dtype=torch.long))


class TestStereoPerCodebook(CompressionModelContract):
    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls):
        return InterleavedStereo(mono())


class TestStereoPerTimestep(CompressionModelContract):
    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls):
        return InterleavedStereo(mono(), per_timestep=True)
