"""The contract kit over ``hf:`` codecs loaded by repo id from the offline Hub cache (EnCodec
and DAC: nothing registers them under an ``hf:`` source, so the core registry test does not
run them): tiny widths with the published geometry in the fast tier.

At real size only what nothing else covers: EnCodec 24 kHz, whose chunked coding once met a
near-tie that no tiny model shows (1 of 5536 codes, oneDNN's length-dependent convolution).
The real-size encode and decode of every published EnCodec and DAC against transformers is in
test_real_size.py; the registered tokenizers' kit runs in tests/core/test_every_registered_codec.py.
"""

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


class TestTinyDac44(HubContract):
    """DAC 44.1 kHz's strides (2, 4, 8, 8; hop 512) through the chunker's receptive context."""
    repo = "codecreg-tests/dac_44khz-tiny"
    duration = 0.537


@pytest.mark.slow
class TestEncodec24(HubContract):
    repo = "facebook/encodec_24khz"
    chunk_seconds = 1.0
