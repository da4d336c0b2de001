"""What a plugin author writes to test a codec: the contract kit, plus what is special here."""

import torch

from codecreg import load_codec
from codecreg.testing import CompressionModelContract, synthetic_audio


class TestMuLaw16k(CompressionModelContract):
    codec_name = "mulaw_16khz"
    seeded_weights = "small"  # through the registry's test weights: mu-law declares it needs none


class TestMuLaw8k(CompressionModelContract):
    codec_name = "mulaw_8khz"
    seeded_weights = "small"


def test_mu_law_is_accurate_to_its_step_size():
    codec = load_codec("mulaw_16khz")
    audio = synthetic_audio(1, 16000, 16000)
    decoded = codec.decode(*codec.encode(audio), length=audio.shape[-1])
    # the largest step of 8-bit mu-law, near full scale, is about 0.03
    assert float((decoded - audio).abs().max()) < 0.03
    assert codec.bitrate == 128.0
