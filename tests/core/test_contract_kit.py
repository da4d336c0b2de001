"""The contract kit as a plugin author meets it: checks that say what they expected and found
(pytest does not rewrite asserts in an installed module), and a spec named for a codec built by hand."""

import pytest
import torch

from codecreg.codec.debug_codec import DebugCompressionModel
from codecreg.testing import CompressionModelContract


class IntegerCodesOfTheWrongWidth(DebugCompressionModel):
    def encode(self, x):
        codes, scale = super().encode(x)
        return codes.int(), scale


def test_a_failed_check_says_what_it_expected_and_found():
    codec = IntegerCodesOfTheWrongWidth()
    audio = torch.zeros(1, 1, 3200)
    with pytest.raises(AssertionError, match=r"codes must be torch.int64, found torch.int32"):
        CompressionModelContract().test_encode_shape_dtype_and_range(codec, audio, codec.encode(audio))


def test_a_codec_built_by_hand_is_checked_against_the_spec_it_names():
    class Contract(CompressionModelContract):
        spec_name = "debug_compression_model"

    try:
        Contract().test_metadata_matches_registered_spec(DebugCompressionModel(channels=2))
    except pytest.skip.Exception:
        pytest.fail("the check was skipped although spec_name names a registered spec")
    except AssertionError as error:
        assert "spec 'debug_compression_model' declares (32000, 1, 400, 4), the built codec has (32000, 2, 400, 4)" \
            in str(error)
    else:
        pytest.fail("a stereo codec passed the check against the mono spec")
    Contract().test_metadata_matches_registered_spec(DebugCompressionModel())  # the right geometry passes


def test_without_a_spec_name_a_codec_built_by_hand_says_how_to_check_it():
    with pytest.raises(pytest.skip.Exception, match="set spec_name"):
        CompressionModelContract().test_metadata_matches_registered_spec(DebugCompressionModel())
