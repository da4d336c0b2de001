"""Normalization strategies: the levels they promise, measured in the written files, and their edge cases."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from codecreg.audio.levels.normalization import SILENCE_LEVEL, STRATEGIES, normalize_audio
from codecreg.audio.writing.whole_file import audio_write
from writers.helpers import ebur128_loudness, make_signal, read_independently

RATE = 32000


def mono_rms_db(wav: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(wav.mean(axis=0, dtype=np.float64) ** 2)))


# levels in the written file (16-bit wav), read back by the other library ---------------------------

@pytest.mark.parametrize("backend", ["ffmpeg", "soundfile"])
def test_peak_sits_at_minus_one_dbfs(tmp_path, backend):
    path = audio_write(tmp_path / "peak", make_signal(2, 1.0, RATE, peak=0.2), RATE, backend=backend)
    decoded, _ = read_independently(path, written_by=backend)
    assert 20 * np.log10(np.abs(decoded).max()) == pytest.approx(-1.0, abs=0.05)


@pytest.mark.parametrize("backend", ["ffmpeg", "soundfile"])
def test_rms_sits_at_minus_eighteen_dbfs(tmp_path, backend):
    path = audio_write(tmp_path / "rms", make_signal(2, 1.0, RATE, peak=0.9), RATE, strategy="rms", backend=backend)
    decoded, _ = read_independently(path, written_by=backend)
    assert mono_rms_db(decoded) == pytest.approx(-18.0, abs=0.1)


@pytest.mark.parametrize("backend", ["ffmpeg", "soundfile"])
@pytest.mark.parametrize("channels", [1, 2])
def test_loudness_sits_at_minus_fourteen_lufs_by_another_meter(tmp_path, backend, channels):
    wav = make_signal(channels, 3.0, RATE, peak=0.05, seed=7)
    before = ebur128_loudness(wav, RATE)
    path = audio_write(tmp_path / "loud", wav, RATE, strategy="loudness", backend=backend)
    decoded, _ = read_independently(path, written_by=backend)
    assert before < -24  # far from the target: the gain really had to be applied
    assert ebur128_loudness(decoded, RATE) == pytest.approx(-14.0, abs=0.5)


# the gains, as formulas ----------------------------------------------------------------------------

def test_peak_and_rms_gains_follow_the_documented_formulas():
    wav = make_signal(2, 0.5, RATE)
    peak = normalize_audio(wav, strategy="peak", peak_clip_headroom_db=3)
    np.testing.assert_allclose(peak, wav * (10 ** (-3 / 20) / np.abs(wav).max()), rtol=1e-6)
    rms = normalize_audio(wav, strategy="rms", rms_headroom_db=20)
    mono = wav.mean(axis=0, dtype=np.float64)
    np.testing.assert_allclose(rms, wav * (10 ** (-20 / 20) / np.sqrt(np.mean(mono ** 2))), rtol=1e-6)


def test_loudness_compressor_is_tanh_of_the_loudness_gain():
    wav = make_signal(1, 1.0, RATE, peak=0.3)
    plain = normalize_audio(wav, strategy="loudness", loudness_headroom_db=3, sample_rate=RATE)
    compressed = normalize_audio(wav, strategy="loudness", loudness_headroom_db=3, loudness_compressor=True,
                                 sample_rate=RATE)
    assert np.abs(plain).max() == 1.0  # -3 LUFS clips without the compressor
    unclipped = np.abs(plain) < 1
    np.testing.assert_allclose(compressed[unclipped], np.tanh(plain[unclipped]), rtol=1e-5)
    assert np.abs(compressed).max() < 1


def test_clip_clamps_at_the_peak_headroom_without_scaling(caplog):
    wav = np.array([[0.5, -1.5, 0.95, 0.1]], dtype=np.float32)
    with caplog.at_level(logging.WARNING, logger="codecreg.audio.levels.normalization"):
        out = normalize_audio(wav, strategy="clip", log_clipping=True, stem_name="out/clipme")
    limit = np.float32(10 ** (-1 / 20))
    np.testing.assert_allclose(out, [[0.5, -limit, limit, 0.1]], rtol=1e-6)
    assert "out/clipme" in caplog.text and "2 of 4 samples" in caplog.text


def test_none_writes_as_is_and_refuses_out_of_range_samples(tmp_path):
    wav = np.array([[0.25, -0.5, 1.0]], dtype=np.float32)
    assert normalize_audio(wav, strategy="none") is wav
    assert normalize_audio(wav, strategy="") is wav  # audiocraft's spelling of none
    with pytest.raises(ValueError, match=r"outside \[-1, 1\].*strategy='clip'"):
        audio_write(tmp_path / "hot", wav * 1.5, RATE, strategy="none")
    assert not list(tmp_path.iterdir())


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ValueError, match="peak, rms, loudness, clip, none"):
        normalize_audio(make_signal(1, 0.1, RATE), strategy="lufs")


# normalize=False: only the gain that prevents clipping ------------------------------------------------

@pytest.mark.parametrize("strategy", ["peak", "rms", "loudness"])
def test_normalize_false_leaves_quiet_audio_alone(strategy):
    wav = make_signal(2, 0.5, RATE, peak=0.3)
    assert normalize_audio(wav, normalize=False, strategy=strategy, sample_rate=RATE) is wav


@pytest.mark.parametrize("strategy", ["peak", "rms", "loudness"])
def test_normalize_false_scales_hot_audio_down_to_the_peak_headroom(strategy):
    wav = make_signal(2, 0.5, RATE, peak=1.6)
    out = normalize_audio(wav, normalize=False, strategy=strategy, sample_rate=RATE)
    np.testing.assert_allclose(out, wav * (10 ** (-1 / 20) / 1.6), rtol=1e-5)


# silence and near-silence ------------------------------------------------------------------------------

@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("level", [0.0, SILENCE_LEVEL / 4, 1e-4])
def test_silence_and_near_silence_never_give_nan(strategy, normalize, level):
    wav = np.full((2, RATE), level, dtype=np.float32)
    wav[:, ::2] *= -1
    with np.errstate(all="raise"):  # a division by zero would raise here
        out = normalize_audio(wav, normalize=normalize, strategy=strategy, sample_rate=RATE)
    assert np.isfinite(out).all()
    assert np.abs(out).max() <= 1.0
    if level < SILENCE_LEVEL:
        np.testing.assert_array_equal(out, wav)


def test_silence_is_written_as_zeros(tmp_path):
    path = audio_write(tmp_path / "silence", np.zeros((2, 1000), dtype=np.float32), RATE, backend="ffmpeg")
    decoded, _ = read_independently(path, written_by="ffmpeg")
    assert decoded.shape == (2, 1000) and not decoded.any()


def test_loudness_skips_audio_shorter_than_one_block(caplog):
    wav = make_signal(1, 0.3, RATE, peak=0.5)
    with caplog.at_level(logging.WARNING, logger="codecreg.audio.levels.normalization"):
        out = normalize_audio(wav, strategy="loudness", sample_rate=RATE, stem_name="short")
    assert out is wav
    assert "short" in caplog.text and "BS.1770 block" in caplog.text


def test_loudness_needs_the_sample_rate_and_at_most_five_channels():
    with pytest.raises(ValueError, match="needs the sample_rate"):
        normalize_audio(make_signal(1, 1.0, RATE), strategy="loudness")
    with pytest.raises(ValueError, match="up to 5 channels"):
        normalize_audio(make_signal(6, 1.0, RATE), strategy="loudness", sample_rate=RATE)


# clipping reports ----------------------------------------------------------------------------------------

def test_clipping_is_logged_with_the_stem_name_and_amount(tmp_path, caplog):
    wav = make_signal(1, 0.5, RATE, peak=1.0)
    wav[0, 100:110] = 0.999  # a few samples far above the RMS: the rms gain pushes them past full scale
    with caplog.at_level(logging.WARNING, logger="codecreg.audio.levels.normalization"):
        path = audio_write(tmp_path / "hot_take", wav, RATE, strategy="rms", rms_headroom_db=3)
    [record] = [r for r in caplog.records if r.name == "codecreg.audio.levels.normalization"]
    assert "hot_take" in record.getMessage()
    assert "samples" in record.getMessage() and "dB over" in record.getMessage()
    decoded, _ = read_independently(path, written_by="ffmpeg")
    assert np.abs(decoded).max() <= 1.0


def test_log_clipping_false_is_quiet(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="codecreg.audio.levels.normalization"):
        audio_write(tmp_path / "quiet", make_signal(1, 0.5, RATE, peak=1.0), RATE, strategy="rms",
                    rms_headroom_db=3, log_clipping=False)
    assert not [r for r in caplog.records if r.name == "codecreg.audio.levels.normalization"]


def test_normalize_never_modifies_the_callers_array():
    wav = make_signal(2, 0.2, RATE, peak=2.0)
    copy = wav.copy()
    for strategy in ("peak", "rms", "clip"):
        normalize_audio(wav, strategy=strategy)
    np.testing.assert_array_equal(wav, copy)
