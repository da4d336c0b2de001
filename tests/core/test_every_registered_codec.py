"""The contract kit over every registered codec, each loaded by its registered name.

Weights cannot be downloaded here: each plugin's test-weights recipe (``CodecSpec.test_weights``)
makes seeded weights in the real checkpoint format, cached across runs, and
``codecreg.testing.installed`` lays them out where the name loads them from. Small models
(the published geometry, narrow layers) run in the default tier, the real architectures
under ``slow``. A newly registered codec is covered here as soon as its plugin gives a recipe,
and fails here until it does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import codecreg
from codecreg.testing import CompressionModelContract, load_test_codec

REGISTERED = sorted(spec.name for spec in codecreg.list_codecs())


@pytest.mark.filterwarnings("ignore::FutureWarning")
class TestEveryRegisteredCodec(CompressionModelContract):
    """Small models: every layer kind of the real one, at a fraction of its width."""

    size = "small"

    @pytest.fixture(scope="class", params=REGISTERED)
    @classmethod
    def codec(cls, request):
        return load_test_codec(request.param, cls.size)


@pytest.mark.slow
class TestEveryRegisteredCodecAtRealSize(TestEveryRegisteredCodec):
    """The published architectures, where real-size numerics (near-ties, kernels picked by
    problem size) show; short audio, as real-size DAC runs at about real time here."""

    size = "real"
    duration = 0.313
    chunked_duration = 1.1  # three chunks, the last one partial
    chunk_seconds = 0.4


def test_every_registered_codec_has_test_weights():
    missing = [spec.name for spec in codecreg.list_codecs() if not spec.test_weights]
    assert not missing, f"registered codecs without a test-weights recipe (CodecSpec.test_weights): {missing}"


def test_installed_nests_so_that_a_study_can_load_several_codecs():
    """Two Hub codecs share one HF_HUB_CACHE, as in a real cache: each inner ``installed`` adds its
    repo to the outer's, a cache-file codec joins them, and each is gone after its own exit."""
    import os

    from codecreg.testing import installed

    with installed("encodec_24khz") as outer_folder:
        hub = os.environ["HF_HUB_CACHE"]
        with installed("encodec_32khz"), installed("dac_16khz"):
            assert os.environ["HF_HUB_CACHE"] == hub
            for name in ("encodec_24khz", "encodec_32khz", "dac_16khz"):
                codes, _ = codecreg.load_codec(name).encode(codecreg.testing.synthetic_audio(1, 24000, 24000))
                assert codes.ndim == 3
        assert sorted(path.name for path in Path(hub).iterdir()) == ["models--facebook--encodec_24khz"]
        assert outer_folder is not None
        with pytest.raises(codecreg.CodecregError, match="already open"):
            with installed("encodec_24khz", "real"):
                pass
    assert not Path(hub).exists()
