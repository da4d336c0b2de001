"""A long input is read while it is encoded (block by block, through the codec's stream), and its
codes still equal ``codec.encode`` of the whole input."""

from __future__ import annotations

import numpy as np

from codecreg.audio.reading.blocks import AudioBlocks
from codecreg.dataset import encoding
from codecreg.dataset.inputs import Item

from .conftest import reference_codes, write_audio


def test_a_long_input_streams_and_keeps_the_codes_of_one_encode(tmp_path, debug_codec, monkeypatch):
    path = tmp_path / "long.wav"
    write_audio(path, 44100, 2, 3.3, seed=5)  # resampled to 32 kHz and mixed to mono on the way
    monkeypatch.setattr(encoding, "STREAM_SECONDS", 1.0)
    original = debug_codec.chunk_seconds
    debug_codec.set_chunk_seconds(0.4)
    try:
        source = encoding.read_item(Item("long.wav", str(path)), debug_codec)
        assert isinstance(source.blocks, AudioBlocks)  # not read ahead: read as it is encoded
        encoded = encoding.encode_audio(debug_codec, Item("long.wav", str(path)), source)
        segment = encoding.encode_item(debug_codec, Item("s", str(path), start=0.5, end=2.9))
    finally:
        debug_codec.set_chunk_seconds(original)
    expected = reference_codes(debug_codec, path)
    assert np.array_equal(encoded.codes, expected) and len(np.unique(expected[0])) > 1
    assert encoded.length == round(3.3 * 32000) and (encoded.source_rate, encoded.source_channels) == (44100, 2)
    assert np.array_equal(segment.codes, reference_codes(debug_codec, path, start=0.5, duration=2.4))
