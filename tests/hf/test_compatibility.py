"""``codecreg.check_compatible`` with ``hf:`` codecs, as a language model's config would call it
when a user swaps its tokenizer (MusicGen's solver checks cardinality and codebooks)."""

from __future__ import annotations

import pytest

import codecreg

#: what MusicGen's language model was trained on: EnCodec 32 kHz, 4 codebooks of 2048, 50 Hz
MUSICGEN_LM = dict(cardinality=2048, num_codebooks=4, sample_rate=32000, frame_rate=50.0, channels=1)


@pytest.fixture(scope="module")
def load(hf_codec):
    return lambda repo, options="": hf_codec(f"hf:{repo}{options}")


def test_the_codec_a_language_model_was_trained_on_fits(load):
    codecreg.check_compatible(load("codecreg-tests/encodec_32khz-tiny"), **MUSICGEN_LM)


def test_every_mismatch_is_listed(load):
    codec = load("codecreg-tests/encodec_24khz-tiny")
    with pytest.raises(codecreg.IncompatibleCodecError) as error:
        codecreg.check_compatible(codec, **MUSICGEN_LM)
    message = str(error.value)
    for expected in ("cardinality: the model expects 2048, the codec has 1024",
                     "num_codebooks: the model expects 4, the codec has 32",
                     "sample_rate: the model expects 32000, the codec has 24000",
                     "frame_rate: the model expects 50.0, the codec has 75.0",
                     "codecreg-tests/encodec_24khz-tiny"):
        assert expected in message
    assert "channels" not in message


def test_num_codebooks_in_the_name_fixes_that_mismatch(load):
    lm = dict(cardinality=1024, num_codebooks=4, sample_rate=24000, frame_rate=75.0)
    with pytest.raises(codecreg.IncompatibleCodecError, match=r"\?num_codebooks=4"):
        codecreg.check_compatible(load("codecreg-tests/encodec_24khz-tiny"), **lm)
    codecreg.check_compatible(load("codecreg-tests/encodec_24khz-tiny", "?num_codebooks=4"), **lm)
    codecreg.check_compatible(load("codecreg-tests/encodec_24khz-tiny", "?bandwidth=3"), **lm)


def test_more_codebooks_than_the_codec_has_is_not_fixable_by_name(load):
    codec = load("codecreg-tests/encodec_32khz-tiny")
    with pytest.raises(codecreg.IncompatibleCodecError, match="has only 4 codebooks") as error:
        codecreg.check_compatible(codec, num_codebooks=8)
    assert "?num_codebooks" not in str(error.value)


def test_dac_frame_rate_is_exact_not_rounded(load):
    codec = load("codecreg-tests/dac_24khz-tiny")
    codecreg.check_compatible(codec, cardinality=1024, num_codebooks=32, sample_rate=24000, frame_rate=75.0)
    with pytest.raises(codecreg.IncompatibleCodecError, match="channels: the model expects 2"):
        codecreg.check_compatible(codec, channels=2)
