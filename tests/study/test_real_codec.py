"""The study tools on a real-architecture codec: a seeded random-weight DAC 44.1 kHz at full size.

Its test weights are laid out where the dac plugin finds ``dac_44khz``'s (in a private
cache folder), so compare, encode and decode load it by its registered name,
exactly as they would the published weights.
"""

import math
import os

import numpy as np
import pytest
import torch

import codecreg
import codecreg.testing
from codecreg.cli.main import main

from .conftest import clip, write_clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dac_44khz():
    """``dac_44khz`` loadable by name, from its seeded test weights at the real size."""
    with codecreg.testing.installed("dac_44khz", "real"), pytest.MonkeyPatch.context() as patch:
        patch.setenv("CODECREG_OFFLINE", "1")
        yield codecreg.load_codec("dac_44khz")


def test_compare_dac_and_the_debug_codec(dac_44khz, tmp_path):
    stereo_32khz = ("speech", clip(2, 0.75, 32000, seed=2), 32000)
    table = codecreg.compare(["dac_44khz", "debug"], [stereo_32khz], num_codebooks=[2, 9], out=tmp_path,
                             show_progress=False)

    assert table.settings == ["dac_44khz?num_codebooks=2", "dac_44khz?num_codebooks=9", "debug?num_codebooks=2"]
    assert table.warnings == ["debug has 4 codebooks: num_codebooks=9 skipped"]
    for row in table.rows[:2]:
        k = row["num_codebooks"]
        assert row["bitrate_kbps"] == pytest.approx(k * math.log2(1024) * 44100 / 512 / 1000)
        assert row["tokens_per_s"] == pytest.approx(k * 44100 / 512)
        assert row["encode_rtf"] > 0 and row["decode_rtf"] > 0
        for metric in ("si_sdr", "mel_distance", "stft_distance"):
            assert math.isfinite(row[metric])
    dac_usage = [c for c in table.codebooks if c["codec"].startswith("dac_44khz")]
    assert len(dac_usage) == 2 + 9
    assert all(0 < c["utilization"] <= 1 and 1 <= c["perplexity"] <= 1024 for c in dac_usage)
    assert any(c["perplexity"] > 2 for c in dac_usage)  # seeded codebooks: codes vary
    written, rate = codecreg.audio_read(tmp_path / "audio" / "speech" / "dac_44khz_num_codebooks-9.wav")
    assert rate == 44100 and written.shape == (1, round(0.75 * 44100))  # converted to the codec's rate and channels
    assert (tmp_path / "index.html").is_file() and (tmp_path / "rate_distortion.png").is_file()


def test_token_files_reload_dac_by_name(dac_44khz, tmp_path):
    source = write_clip(tmp_path / "in.wav", 1, 1.0, 48000)
    assert main(["encode", str(source), "--codec", "dac_44khz?num_codebooks=4", "-o", str(tmp_path / "codes")]) == 0
    tokens = codecreg.load_codes(tmp_path / "codes" / "in.codes")
    assert (tokens.codec, tokens.num_codebooks, tokens.sample_rate, tokens.length) == (
        "dac_44khz?num_codebooks=4", 4, 44100, 44100)
    assert tokens.codes.max() < 1024 and len(np.unique(tokens.codes[0, 0])) > 1

    assert main(["decode", str(tmp_path / "codes"), "-o", str(tmp_path / "out"), "--strategy", "clip"]) == 0
    decoded, rate = codecreg.audio_read(tmp_path / "out" / "in.wav")
    with torch.no_grad():
        expected = dac_44khz.decode(torch.from_numpy(tokens.codes), length=tokens.length)[0].numpy()
    limit = 10 ** (-1 / 20)
    assert rate == 44100 and decoded.shape == expected.shape
    np.testing.assert_allclose(decoded, np.clip(expected, -limit, limit), atol=2 / 32768)
    assert os.environ["CODECREG_OFFLINE"] == "1"  # nothing was downloaded
