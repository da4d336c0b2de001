"""What a plugin author writes to test SNAC: the contract kit on seeded weights, and parity with the
``snac`` package's own ``encode``/``decode`` loaded from the same checkpoint files.

``CODECREG_SNAC_SIZE`` picks the weights: ``real`` (the published architectures, the default) or
``small`` (narrow layers, the same rates and codebooks).
"""

import math
import os

import pytest
import torch
from snac import SNAC

from codecreg import CodeLevels, load_codes, save_codes
from codecreg.testing import CompressionModelContract, checkpoint_folder, load_test_codec, synthetic_audio

SIZE = os.environ.get("CODECREG_SNAC_SIZE", "real")
NAMES = ("snac_24khz", "snac_32khz", "snac_44khz")


class TestSnac24k(CompressionModelContract):
    codec_name = "snac_24khz"
    seeded_weights = SIZE


class TestSnac32k(CompressionModelContract):
    codec_name = "snac_32khz"
    seeded_weights = SIZE


class TestSnac44k(CompressionModelContract):
    codec_name = "snac_44khz"
    seeded_weights = SIZE


@pytest.fixture(scope="module", params=NAMES)
def pair(request):
    """Our codec and the package's own model, both from the seeded checkpoint files."""
    name = request.param
    reference = SNAC.from_pretrained(str(checkpoint_folder(name, SIZE))).eval()  # the package's loader, a folder
    return name, load_test_codec(name, SIZE), reference


def test_codes_are_snac_s_own_levels_packed(pair):
    name, codec, reference = pair
    audio = synthetic_audio(1, int(2.1 * codec.sample_rate), codec.sample_rate, seed=5)
    with torch.no_grad():
        expected = reference.encode(audio)
    levels, _ = codec.encode_levels(audio)
    assert len(levels) == len(reference.vq_strides)
    for ours, theirs in zip(levels, expected):
        assert torch.equal(ours[:, 0], theirs), f"{name}: a level's codes differ from snac's"
        assert len(torch.unique(theirs)) > 1  # seeded codebooks: not one code for every frame
    # the grid by the documented packing: row offset_i + j of coarse frame t is level i's frame t x s_i + j
    codes, _ = codec.encode(audio)
    strides = codec.code_levels.strides
    offsets = [sum(strides[:i]) for i in range(len(strides))]
    for i, (offset, stride) in enumerate(zip(offsets, strides)):
        for j in range(stride):
            assert torch.equal(codes[0, offset + j], expected[i][0, j::stride])
    assert codes.shape[-1] == codec.frames_for(audio.shape[-1]) == expected[0].shape[-1]


def test_decoded_audio_is_snac_s_own_decode(pair):
    name, codec, reference = pair
    audio = synthetic_audio(1, int(1.3 * codec.sample_rate), codec.sample_rate, seed=6)
    codes, _ = codec.encode(audio)
    with torch.no_grad():
        torch.manual_seed(0)  # snac draws its decoder noise from torch's generator; codecreg from seed 0
        expected = reference.decode(reference.encode(audio))[..., :audio.shape[-1]]
    decoded = codec.decode(codes, length=audio.shape[-1])
    assert decoded.shape == expected.shape == audio.shape
    assert torch.equal(decoded, expected), f"{name}: {float((decoded - expected).abs().max()):.3g} apart"
    assert torch.equal(codec.decode(codes, length=audio.shape[-1]), decoded)  # reproducible: the noise is seeded


def test_a_token_file_round_trips_the_levels(pair, tmp_path):
    name, codec, _ = pair
    audio = synthetic_audio(1, codec.sample_rate, codec.sample_rate)
    codes, _ = codec.encode(audio)
    tokens = load_codes(save_codes(tmp_path / "a.codes", codes, codec, audio.shape[-1]))
    assert tokens.code_levels == codec.code_levels
    assert [level.shape[-1] for level in tokens.levels()] == [codes.shape[-1] * s for s in codec.code_levels.strides]


def test_published_geometry_and_bitrates():
    expected = {"snac_24khz": (24000 / 2048, 7, 0.98), "snac_32khz": (32000 / 3072, 15, 1.9),
                "snac_44khz": (44100 / 3072, 15, 2.6)}
    for name, (rate, rows, kbps) in expected.items():
        codec = load_test_codec(name, "small")
        assert codec.frame_rate == pytest.approx(rate) and codec.total_codebooks == rows
        assert round(codec.bitrate, 1 if kbps > 1 else 2) == kbps  # SNAC's README: 0.98, 1.9, 2.6 kbps
        assert math.isclose(codec.code_levels.frame_rates[-1], codec.sample_rate / (512 if rows == 7 else 384))
        with pytest.raises(ValueError, match="decodes all its levels together"):
            codec.set_num_codebooks(rows - (4 if rows == 7 else 8))
