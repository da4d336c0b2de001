"""The contract kit over ``hf:`` codecs loaded by repo id from the offline Hub cache:
tiny widths with the published geometry in the fast tier, the real sizes in the slow tier."""

from __future__ import annotations

import math

import pytest

from codecreg.testing import CompressionModelContract


class HubContract(CompressionModelContract):
    repo: str = ""

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls, hf_codec):
        return hf_codec(f"hf:{cls.repo}")


class ChunkedHubContract(HubContract):
    def expected_frames(self, codec, length: int) -> int:
        """Each chunk gives ceil(samples / hop) frames, and chunks overlap (docs/huggingface.md)."""
        return sum(math.ceil(size / codec.hop) for _, size in codec.chunks.sample_spans(length))


class TestTinyEncodec24(HubContract):
    repo = "codecreg-tests/encodec_24khz-tiny"
    duration = 0.537


class TestTinyEncodec48(ChunkedHubContract):
    repo = "codecreg-tests/encodec_48khz-tiny"
    duration = 1.137  # two chunks


class TestTinyDac24(HubContract):
    repo = "codecreg-tests/dac_24khz-tiny"
    duration = 0.537


@pytest.mark.slow
class TestEncodec32(HubContract):
    repo = "facebook/encodec_32khz"


@pytest.mark.slow
class TestEncodec24(HubContract):
    repo = "facebook/encodec_24khz"
    chunk_seconds = 1.0


@pytest.mark.slow
class TestEncodec48(ChunkedHubContract):
    repo = "facebook/encodec_48khz"
    duration = 1.137


@pytest.mark.slow
class TestDac44(HubContract):
    repo = "descript/dac_44khz"
    duration = 0.537  # real-size DAC runs at about real time on two CPU threads


class TokenizerContract(CompressionModelContract):
    """A transformers audio tokenizer by its registered name, on the model the parity tests cache."""
    repo: str = ""
    revision: str = "main"
    duration = 0.437

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls, hub_tokenizer, tokenizer_codec):
        hub_tokenizer(cls.repo, cls.revision)
        return tokenizer_codec(cls.spec_name + (f"?revision={cls.revision}" if cls.revision != "main" else ""))


class TestMimi(TokenizerContract):
    spec_name, repo = "mimi", "kyutai/mimi"


class TestXcodecHubert(TokenizerContract):
    spec_name, repo = "xcodec_hubert_librispeech", "hf-audio/xcodec-hubert-librispeech"


class TestHiggsAudioV2Tokenizer(TokenizerContract):
    spec_name, repo = "higgs_audio_v2_tokenizer", "bosonai/higgs-audio-v2-tokenizer"


class TestWavTokenizer(TokenizerContract):
    spec_name, repo = "wavtokenizer_large_unify_40", "swiss-ai/wavtokenizer-large-unify-40token"


class TestReducedXcodec2(TokenizerContract):
    spec_name, repo, revision = "xcodec2", "HKUSTAudio/xcodec2-hf", "reduced"

    def expected_frames(self, codec, length: int) -> int:
        """The feature extractor pads one sample, then to a hop multiple (docs/huggingface.md)."""
        return length // codec.hop + 1


class TestReducedNeuCodec(TokenizerContract):
    spec_name, repo, revision = "neucodec", "neuphonic/neucodec", "reduced"
