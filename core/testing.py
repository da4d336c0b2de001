"""The contract test kit for codec plugins.

Subclass ``CompressionModelContract`` in a pytest module and provide the codec,
either by name or through the ``codec`` fixture, and pytest runs the shape,
dtype, round-trip length, batch, metadata and ``set_num_codebooks`` tests:

    from codecreg.testing import CompressionModelContract

    class TestMyCodec(CompressionModelContract):
        codec_name = "my_codec"

Imports torch and pytest: only test code imports this module.
"""

from __future__ import annotations

import math

import pytest
import torch

from .api import get_registry, load_codec
from .audio import synthetic
from .codec.compression import CompressionModel
from .errors import UnknownNameError


def synthetic_audio(channels: int, length: int, sample_rate: int, batch: int = 1, seed: int = 0) -> torch.Tensor:
    """Deterministic ``[batch, channels, length]`` audio as a tensor (see ``codecreg.audio.synthetic``)."""
    return torch.from_numpy(synthetic.synthetic_audio(channels, length, sample_rate, batch, seed))


class CompressionModelContract:
    """Tests every CompressionModel must pass. Set ``codec_name`` or override the ``codec`` fixture."""

    codec_name: str = ""
    #: seconds of audio for most tests; deliberately not a multiple of any hop
    duration: float = 1.337
    batch: int = 2

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls) -> CompressionModel:
        if not cls.codec_name:
            raise NotImplementedError("set codec_name or override the codec fixture")
        return load_codec(cls.codec_name)

    @pytest.fixture(scope="class")
    @classmethod
    def audio(cls, codec: CompressionModel) -> torch.Tensor:
        return synthetic_audio(codec.channels, int(cls.duration * codec.sample_rate), codec.sample_rate, cls.batch)

    @pytest.fixture(scope="class")
    @classmethod
    def encoded(cls, codec: CompressionModel, audio: torch.Tensor):
        return codec.encode(audio.to(_device_of(codec)))

    def expected_frames(self, codec: CompressionModel, length: int) -> int:
        """Frames for ``length`` samples; override for codecs that segment their input."""
        return math.ceil(length * codec.frame_rate / codec.sample_rate - 1e-6)

    # tests ----------------------------------------------------------------
    def test_metadata_is_consistent(self, codec: CompressionModel) -> None:
        assert isinstance(codec.sample_rate, int) and codec.sample_rate > 0
        assert isinstance(codec.channels, int) and codec.channels >= 1
        assert isinstance(codec.frame_rate, float) and 0 < codec.frame_rate <= codec.sample_rate
        assert isinstance(codec.cardinality, int) and codec.cardinality >= 2
        assert 1 <= codec.num_codebooks <= codec.total_codebooks
        expected = codec.num_codebooks * math.log2(codec.cardinality) * codec.frame_rate / 1000
        assert codec.bitrate == pytest.approx(expected)

    def test_metadata_matches_registered_spec(self, codec: CompressionModel) -> None:
        try:
            spec = get_registry().codec(codec.name)
        except UnknownNameError:
            pytest.skip("codec was not loaded by a bare registered name (no options, no source)")
        assert (spec.sample_rate, spec.channels, spec.cardinality, spec.total_codebooks) == (
            codec.sample_rate, codec.channels, codec.cardinality, codec.total_codebooks)
        assert spec.frame_rate == pytest.approx(codec.frame_rate, rel=1e-3)

    def test_encode_shape_dtype_and_range(self, codec, audio, encoded) -> None:
        codes, _ = encoded
        assert codes.dtype == torch.int64
        assert tuple(codes.shape) == (audio.shape[0], codec.num_codebooks,
                                      self.expected_frames(codec, audio.shape[-1]))
        assert int(codes.min()) >= 0 and int(codes.max()) < codec.cardinality

    def test_codes_vary_over_time(self, encoded) -> None:
        codes, _ = encoded
        for k in range(codes.shape[1]):
            assert len(torch.unique(codes[0, k])) > 1, f"every frame got the same code in codebook {k}: degenerate"

    def test_decode_restores_exact_length(self, codec, audio, encoded) -> None:
        codes, scale = encoded
        decoded = codec.decode(codes, scale, length=audio.shape[-1])
        assert tuple(decoded.shape) == tuple(audio.shape)
        assert decoded.dtype == audio.dtype and bool(torch.isfinite(decoded).all())

    def test_decode_without_length_covers_input(self, codec, audio, encoded) -> None:
        codes, scale = encoded
        decoded = codec.decode(codes, scale)
        assert decoded.shape[:2] == audio.shape[:2] and decoded.shape[-1] >= audio.shape[-1]

    def test_decode_latent_shape(self, codec, encoded) -> None:
        codes, _ = encoded
        latent = codec.decode_latent(codes)
        assert latent.dim() == 3 and latent.shape[0] == codes.shape[0] and latent.shape[-1] == codes.shape[-1]

    def test_batch_equals_items(self, codec, audio, encoded) -> None:
        codes, _ = encoded
        device = _device_of(codec)
        items = torch.cat([codec.encode(audio[i:i + 1].to(device))[0] for i in range(audio.shape[0])])
        assert torch.equal(items, codes), "an item's codes must not depend on what it is batched with"

    def test_set_num_codebooks(self, codec, audio) -> None:
        original = codec.num_codebooks
        short = audio[:1, :, : int(0.5 * codec.sample_rate)].to(_device_of(codec))
        try:
            for n in sorted({1, codec.total_codebooks}):
                codec.set_num_codebooks(n)
                assert codec.num_codebooks == n
                assert codec.encode(short)[0].shape[1] == n
                assert codec.bitrate == pytest.approx(n * math.log2(codec.cardinality) * codec.frame_rate / 1000)
            for bad in (0, codec.total_codebooks + 1):
                with pytest.raises(ValueError):
                    codec.set_num_codebooks(bad)
        finally:
            codec.set_num_codebooks(original)

    def test_wrong_channel_count_is_refused(self, codec) -> None:
        wrong = 2 if codec.channels == 1 else 1
        with pytest.raises(ValueError, match="channel"):
            codec.encode(torch.zeros(1, wrong, codec.sample_rate // 10, device=_device_of(codec)))

    def test_wrong_rank_is_refused(self, codec) -> None:
        with pytest.raises(ValueError, match="batch, channels, time"):
            codec.encode(torch.zeros(codec.sample_rate // 10, device=_device_of(codec)))


    def test_codes_outside_the_codebooks_are_refused(self, codec, encoded) -> None:
        codes, scale = encoded
        with pytest.raises(ValueError, match=rf"codes must lie in \[0, {codec.cardinality}\)"):
            codec.decode(torch.full_like(codes, codec.cardinality), scale)


def _device_of(codec: CompressionModel) -> torch.device:
    parameter = next(iter(getattr(codec, "parameters", lambda: iter(()))()), None)
    return parameter.device if parameter is not None else torch.device("cpu")
