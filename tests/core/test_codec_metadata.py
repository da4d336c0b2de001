"""The metadata every codec declares once with set_metadata, and what the base class derives from it."""

import pytest

from codecreg import CompressionModel
from codecreg.codec.metadata import CodecMetadata


class Bare(CompressionModel):
    def encode(self, x):
        return x, None

    def decode(self, codes, scale=None, length=None):
        return codes

    def decode_latent(self, codes):
        return codes


def test_properties_come_from_the_declared_metadata():
    codec = Bare()
    codec.set_metadata(sample_rate=44100, channels=2, frame_rate=44100 / 512, cardinality=1024, total_codebooks=9,
                       num_codebooks=4)
    assert (codec.sample_rate, codec.channels, codec.cardinality, codec.total_codebooks) == (44100, 2, 1024, 9)
    assert codec.frame_rate == pytest.approx(86.1328125) and isinstance(codec.frame_rate, float)
    assert codec.num_codebooks == 4 and codec.bitrate == pytest.approx(4 * 10 * 86.1328125 / 1000)
    codec.set_num_codebooks(9)
    assert codec.num_codebooks == 9 and codec.metadata == CodecMetadata(44100, 2, 86.1328125, 1024, 9)
    with pytest.raises(ValueError, match="from 1 to 9"):
        codec.set_num_codebooks(10)


def test_num_codebooks_defaults_to_all():
    codec = Bare()
    codec.set_metadata(sample_rate=16000, channels=1, frame_rate=50, cardinality=1024, total_codebooks=12)
    assert codec.num_codebooks == 12


@pytest.mark.parametrize("attribute", ["channels", "sample_rate", "frame_rate", "cardinality", "num_codebooks",
                                       "total_codebooks"])
def test_a_codec_that_never_declared_its_metadata_says_how(attribute):
    with pytest.raises(NotImplementedError, match=r"Bare has no metadata: call self.set_metadata\(sample_rate="):
        getattr(Bare(), attribute)


@pytest.mark.parametrize("field, value", [("sample_rate", 0), ("channels", True), ("cardinality", 2.5),
                                          ("total_codebooks", -1), ("frame_rate", float("nan")), ("frame_rate", 0)])
def test_impossible_metadata_is_refused(field, value):
    values = dict(sample_rate=16000, channels=1, frame_rate=50.0, cardinality=1024, total_codebooks=12)
    values[field] = value
    with pytest.raises(ValueError, match=f"{field} must be a positive"):
        CodecMetadata(**values)
