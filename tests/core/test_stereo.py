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


# the name option: stereo made of any registered mono codec by core, checked by the kit against codec_info
class TestStereoByName(CompressionModelContract):
    codec_name = "debug?stereo=interleave"


class TestStereoPerTimestepByName(CompressionModelContract):
    codec_name = "debug?stereo=interleave_per_timestep,num_codebooks=2"


@pytest.mark.parametrize("layout, per_timestep", [("interleave", False), ("interleave_per_timestep", True)])
def test_the_name_option_is_the_wrapper(layout, per_timestep, stereo_audio):
    codec = codecreg.load_codec(f"debug?stereo={layout}")
    assert isinstance(codec, InterleavedStereo) and codec.per_timestep is per_timestep
    assert codec.name == f"debug?stereo={layout}"
    assert torch.equal(codec.encode(stereo_audio)[0], InterleavedStereo(mono(), per_timestep).encode(stereo_audio)[0])
    info = codecreg.codec_info(f"debug?stereo={layout}")
    assert (info.channels, info.num_codebooks, info.total_codebooks, info.frame_rate) == \
        (codec.channels, codec.num_codebooks, codec.total_codebooks, codec.frame_rate)


def test_num_codebooks_in_the_name_counts_the_interleaved_rows(stereo_audio):
    codec = codecreg.load_codec("debug?stereo=interleave,num_codebooks=4")
    assert codec.num_codebooks == 4 and codec.model.num_codebooks == 2
    assert codecreg.codec_info("debug?stereo=interleave,n_q=4").num_codebooks == 4
    for name in ("debug?stereo=interleave,num_codebooks=3",):
        with pytest.raises(ValueError, match="must be even"):
            codecreg.load_codec(name)
        with pytest.raises(codecreg.InvalidNameError, match="must be even"):
            codecreg.codec_info(name)


def test_the_stereo_option_refuses_a_stereo_codec_and_unknown_layouts():
    with pytest.raises(codecreg.InvalidNameError, match="already has 2 channels: remove the stereo option"):
        codecreg.load_codec("debug?channels=2,stereo=interleave")
    stereo_specs = [spec for spec in codecreg.list_codecs() if spec.channels == 2]
    if stereo_specs:  # refused from the spec, before anything is built
        with pytest.raises(codecreg.InvalidNameError, match="already has 2 channels"):
            codecreg.codec_info(f"{stereo_specs[0].name}?stereo=interleave")
    for bad in ("debug?stereo=mid_side", "debug?stereo=true"):
        with pytest.raises(codecreg.InvalidNameError, match="stereo must be 'interleave'.*'interleave_per_timestep'"):
            codecreg.load_codec(bad)


def test_the_wrapped_codec_round_trips_through_a_token_file(tmp_path, stereo_audio):
    from codecreg import load_codes, save_codes

    codec = codecreg.load_codec("debug?stereo=interleave_per_timestep")
    codes, scale = codec.encode(stereo_audio[:1])
    path = save_codes(tmp_path / "s.codes", codes, codec, stereo_audio.shape[-1], scale)
    tokens = load_codes(path)
    assert tokens.codec == "debug?stereo=interleave_per_timestep" and tokens.channels == 2
    decoded = tokens.decode()
    assert torch.equal(decoded, codec.decode(codes, scale, length=stereo_audio.shape[-1]))


class TestMusicGenStereo(CompressionModelContract):
    """MusicGen stereo's tokenizer by name, on seeded small encodec_32khz weights: the kit and the layout."""

    codec_name = "encodec_32khz?stereo=interleave"
    seeded_weights = "small"

    def test_codes_are_each_channel_encoded_by_the_mono_codec_interleaved(self, codec, audio, encoded):
        mono_codec = codec.model
        left, _ = mono_codec.encode(audio[:, :1])
        right, _ = mono_codec.encode(audio[:, 1:])
        assert torch.equal(encoded[0], torch.stack([left, right]).permute(1, 2, 0, 3).reshape(*left.shape[:1], -1,
                                                                                            left.shape[-1]))
        assert (codec.channels, codec.num_codebooks, codec.frame_rate) == (2, 8, 50.0)
