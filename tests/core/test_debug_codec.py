"""The built-in debug codec passes the contract kit and is the same on every build."""

import torch

import codecreg
from codecreg.testing import CompressionModelContract, synthetic_audio


class TestDebugCodec(CompressionModelContract):
    codec_name = "debug_compression_model"


class TestDebugCodecStereo(CompressionModelContract):
    codec_name = "debug?channels=2"


def test_debug_codec_is_deterministic():
    audio = synthetic_audio(1, 32000, 32000)
    first = codecreg.load_codec("debug").encode(audio)[0]
    second = codecreg.load_codec("debug_compression_model").encode(audio)[0]
    assert torch.equal(first, second)


def test_audiocraft_get_pretrained_names_resolve_to_the_debug_codec():
    model = codecreg.CompressionModel.get_pretrained("//pretrained/debug_compression_model")
    assert (model.sample_rate, model.frame_rate, model.cardinality, model.total_codebooks) == (32000, 25.0, 400, 4)
