"""The streaming BS.1770 meter against pyloudnorm, and levels that do not depend on how a signal is cut."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from codecreg.audio.levels.measures import CHUNK_FRAMES, LevelMeter
from codecreg.audio.levels.streaming_loudness import LoudnessMeter
from writers.helpers import ebur128_loudness, make_signal

#: Measured: the largest difference from pyloudnorm over these cases was 1.8e-15 LU (summation order only).
PYLOUDNORM_TOLERANCE_LU = 1e-9


def feed(meter, wav: np.ndarray, cuts: list[int]) -> None:
    for start, stop in zip([0, *cuts], [*cuts, wav.shape[1]]):
        meter.add(wav[:, start:stop])


def dynamic_signal(channels: int, seconds: float, rate: int, seed: int) -> np.ndarray:
    """Loud, quiet and silent stretches, so that both gates drop blocks."""
    wav = make_signal(channels, seconds, rate, peak=0.8, seed=seed)
    third = wav.shape[1] // 3
    wav[:, third:2 * third] *= 0.003  # about 50 dB down: under the relative gate
    wav[:, -wav.shape[1] // 6:] = 0.0  # silence: under the absolute gate
    return wav


@pytest.mark.parametrize("rate, channels, seconds", [(32000, 1, 7.3), (44100, 2, 3.05), (48000, 5, 2.0),
                                                     (22050, 2, 0.45), (11025, 1, 10.0), (24000, 2, 61.0)])
def test_matches_pyloudnorm(rate, channels, seconds):
    wav = dynamic_signal(channels, seconds, rate, seed=rate)
    expected = pyloudnorm.Meter(rate).integrated_loudness(wav.T.astype(np.float64))
    meter = LoudnessMeter(rate, channels)
    feed(meter, wav, list(range(12345, wav.shape[1], 12345)))
    measured = meter.integrated_loudness()
    assert np.isfinite(expected) and abs(measured - expected) <= PYLOUDNORM_TOLERANCE_LU, (measured, expected)


def test_agrees_with_libebur128_as_closely_as_pyloudnorm_does():
    wav = dynamic_signal(2, 20.0, 48000, seed=3)
    meter = LoudnessMeter(48000, 2)
    meter.add(wav)
    assert abs(meter.integrated_loudness() - ebur128_loudness(wav, 48000)) < 0.1


def test_silence_short_audio_and_too_many_channels():
    silent = LoudnessMeter(16000, 1)
    silent.add(np.zeros((1, 16000), np.float32))
    assert silent.integrated_loudness() == float("-inf")
    short = LoudnessMeter(16000, 1)
    short.add(make_signal(1, 0.39, 16000))
    assert np.isnan(short.integrated_loudness())
    with pytest.raises(ValueError, match="up to 5 channels"):
        LoudnessMeter(16000, 6)


@pytest.mark.parametrize("cuts", [[], [1], [CHUNK_FRAMES - 1, CHUNK_FRAMES + 3], list(range(999, 200000, 999)),
                                  [70000, 70001, 70002]])
def test_levels_do_not_depend_on_how_the_signal_is_cut(cuts):
    wav = dynamic_signal(2, 6.0, 32000, seed=5)  # 192000 frames: several chunks and a remainder
    whole = LevelMeter(2, 32000, loudness=True)
    whole.add(wav)
    cut = LevelMeter(2, 32000, loudness=True)
    feed(cut, wav, cuts)
    assert cut.levels() == whole.levels()  # exactly: the same sums in the same order
    levels = whole.levels()
    assert levels.frames == wav.shape[1] and levels.peak == np.abs(wav).max()
    assert levels.mono_rms == pytest.approx(np.sqrt(np.mean(wav.mean(axis=0, dtype=np.float64) ** 2)), rel=1e-12)
    assert levels.rms == pytest.approx(np.sqrt(np.mean(wav.astype(np.float64) ** 2)), rel=1e-12)


def test_non_finite_samples_are_refused():
    meter = LevelMeter(1, 16000)
    wav = make_signal(1, 0.1, 16000)
    wav[0, 7] = np.nan
    with pytest.raises(ValueError, match="1 NaN or infinite sample"):
        meter.add(wav)
