"""codecreg's contract kit over the three registered EnCodec models, each loaded by its name
from an offline Hugging Face cache holding real-size random weights with seeded codebooks."""

from __future__ import annotations

import pytest
import torch

import codecreg
from codecreg.testing import CompressionModelContract
from codecreg.chunking import SegmentLayout
from support.hf_cache import put_in_hf_cache


def load_from_a_private_cache(name: str, fields: dict, tmp_path_factory, transformers_model):
    from huggingface_hub import constants

    folder = tmp_path_factory.mktemp(name)
    transformers_model(fields).save_pretrained(folder)
    cache = tmp_path_factory.mktemp(f"{name}-hub")
    put_in_hf_cache(folder, f"facebook/{name}", cache_dir=cache)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(constants, "HF_HUB_CACHE", str(cache))
        return codecreg.load_codec(name)


@pytest.mark.slow
class TestEncodec32khz(CompressionModelContract):
    codec_name = "encodec_32khz"

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls, refs, tmp_path_factory):
        return load_from_a_private_cache(cls.codec_name, refs.TRANSFORMERS_32KHZ, tmp_path_factory,
                                         refs.transformers_model)


@pytest.mark.slow
class TestEncodec24khz(TestEncodec32khz):
    codec_name = "encodec_24khz"

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls, refs, tmp_path_factory):
        return load_from_a_private_cache(cls.codec_name, refs.TRANSFORMERS_24KHZ, tmp_path_factory,
                                         refs.transformers_model)


@pytest.mark.slow
class TestEncodec48khz(CompressionModelContract):
    codec_name = "encodec_48khz"

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls, refs, tmp_path_factory):
        return load_from_a_private_cache(cls.codec_name, refs.TRANSFORMERS_48KHZ, tmp_path_factory,
                                         refs.transformers_model)

    def expected_frames(self, codec, length: int) -> int:
        """Each 1 s segment is encoded on its own and the codes are concatenated."""
        config = codec.config
        return sum(SegmentLayout(config.segment_length, config.segment_stride, config.hop_length).frames_for(length))

    def test_scale_has_one_column_per_segment(self, audio, encoded):
        codes, scale = encoded
        assert scale.shape == (audio.shape[0], 2) and codes.shape[-1] == 150 + 53
        expected = audio[..., :48000].mean(1).pow(2).mean(-1).sqrt() + 1e-8
        assert torch.allclose(scale[:, 0], expected)
