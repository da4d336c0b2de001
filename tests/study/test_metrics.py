"""The first-party metrics, checked against known values and against DAC's and audiotools' implementations."""

import math

import numpy as np
import pytest
import torch

import codecreg
from codecreg.study.alignment import align, estimate_delay
from codecreg.study.codebook_stats import CodeCounter
from codecreg_metrics.si_sdr import FLOOR_DB, si_sdr
from codecreg_metrics.spectral import mel_filters
from codecreg_metrics.spectral_distances import mel_distance, stft_distance

from .conftest import clip

RATE = 32000


@pytest.fixture(scope="module")
def reference():
    return clip(1, 1.0, RATE)


# SI-SDR ----------------------------------------------------------------------
def test_si_sdr_of_a_perfect_reconstruction_is_very_high(reference):
    assert si_sdr(reference, reference) > 90
    assert si_sdr(reference, 0.3 * reference) > 90  # scale-invariant


def test_si_sdr_of_a_sign_flipped_reconstruction_is_very_negative(reference):
    assert si_sdr(reference, -reference) == FLOOR_DB == -100


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 30.0])
def test_si_sdr_of_added_noise_is_the_signal_to_noise_ratio(reference, snr_db):
    noise = np.random.default_rng(1).standard_normal(reference.shape)
    noise -= noise.mean()
    centred = reference - reference.mean()
    noise *= np.sqrt((centred ** 2).sum() / (noise ** 2).sum() / 10 ** (snr_db / 10))
    # the projection absorbs the small correlation of the noise with the signal
    assert si_sdr(reference, reference + noise) == pytest.approx(snr_db, abs=0.3)


def test_si_sdr_matches_dacs_loss():
    sisdr_loss = pytest.importorskip("dac.nn.loss").SISDRLoss()
    ref = clip(2, 0.5, RATE)
    est = ref + 0.2 * clip(2, 0.5, RATE, seed=3)
    expected = -float(sisdr_loss(torch.from_numpy(ref)[None], torch.from_numpy(est)[None]))
    assert si_sdr(ref, est) == pytest.approx(expected, abs=1e-3)


def test_metrics_refuse_different_shapes(reference):
    for metric in (si_sdr, mel_distance, stft_distance):
        with pytest.raises(ValueError, match="equal"):
            metric(reference, reference[:, :-1], RATE)


# spectral distances -----------------------------------------------------------
@pytest.mark.parametrize("n_fft, n_mels", [(32, 5), (512, 80), (2048, 320)])
def test_mel_filters_match_librosa(n_fft, n_mels):
    librosa = pytest.importorskip("librosa")
    expected = librosa.filters.mel(sr=44100, n_fft=n_fft, n_mels=n_mels)
    np.testing.assert_allclose(mel_filters(44100, n_fft, n_mels), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.filterwarnings("ignore:stft_data changed shape")
@pytest.mark.parametrize("channels", [1, 2])
def test_spectral_distances_match_audiotools(channels):
    audiotools = pytest.importorskip("audiotools")
    from audiotools.metrics.spectral import MelSpectrogramLoss, MultiScaleSTFTLoss

    ref = clip(channels, 0.6, 44100)
    est = (ref + 0.05 * clip(channels, 0.6, 44100, seed=7)).astype(np.float32)
    signals = [audiotools.AudioSignal(torch.from_numpy(x)[None], 44100) for x in (est, ref)]
    dac_mel = MelSpectrogramLoss(n_mels=[5, 10, 20, 40, 80, 160, 320],
                                 window_lengths=[32, 64, 128, 256, 512, 1024, 2048],
                                 mag_weight=0.0, clamp_eps=1e-5, pow=1.0, mel_fmin=[0.0] * 7, mel_fmax=[None] * 7)
    assert mel_distance(ref, est, 44100) == pytest.approx(float(dac_mel(*signals)), rel=1e-4)
    assert stft_distance(ref, est, 44100) == pytest.approx(float(MultiScaleSTFTLoss()(*signals)), rel=1e-4)


def test_spectral_distances_are_zero_for_identity_and_grow_with_distortion(reference):
    light = reference + 0.01 * clip(1, 1.0, RATE, seed=5)
    heavy = reference + 0.3 * clip(1, 1.0, RATE, seed=5)
    for metric in (mel_distance, stft_distance):
        assert metric(reference, reference, RATE) == 0.0
        assert 0 < metric(reference, light, RATE) < metric(reference, heavy, RATE)


# registration -----------------------------------------------------------------
def test_metrics_are_registered_through_the_plugin_hook():
    registry = codecreg.get_registry()
    metrics = registry.metrics
    assert {"si_sdr", "mel_distance", "stft_distance"} <= set(metrics)
    assert metrics["si_sdr"].distribution == "codecreg" and metrics["si_sdr"].plugin == "metrics"
    assert metrics["si_sdr"].higher_is_better and not metrics["mel_distance"].higher_is_better
    assert registry.metric("si_sdr").load_factory()() is si_sdr


# alignment -----------------------------------------------------------------------
@pytest.mark.parametrize("delay", [0, 37, -12, 400])
def test_alignment_finds_and_undoes_a_delay(reference, delay):
    shifted = np.roll(reference, delay, axis=-1)
    assert estimate_delay(reference, shifted, max_lag=800) == delay
    aligned_reference, aligned_estimate, found = align(reference, shifted, max_lag=800)
    assert found == delay and aligned_reference.shape == aligned_estimate.shape
    assert aligned_reference.shape[-1] == reference.shape[-1] - abs(delay)
    assert si_sdr(aligned_reference, aligned_estimate) > 90
    if delay:
        assert si_sdr(reference, shifted) < 10


def test_alignment_keeps_a_sign_flip_unshifted(reference):
    assert estimate_delay(reference, -reference, max_lag=800) == 0


def test_alignment_looks_no_further_than_max_lag(reference):
    assert abs(estimate_delay(reference, np.roll(reference, 500, axis=-1), max_lag=100)) <= 100


# codebook usage -----------------------------------------------------------------
def test_codebook_usage_of_known_distributions():
    counter = CodeCounter(num_codebooks=3, cardinality=8)
    codes = np.stack([np.arange(16) % 8, np.zeros(16, int), np.repeat([0, 1], 8)])[None]
    counter.add(codes[:, :, :10])
    counter.add(codes[:, :, 10:])  # counts accumulate over inputs
    uniform, constant, two = counter.usage()
    assert (uniform.utilization, uniform.perplexity, uniform.entropy_bits) == (1.0, pytest.approx(8), pytest.approx(3))
    assert (constant.utilization, constant.perplexity) == (1 / 8, pytest.approx(1))
    assert (two.utilization, two.perplexity) == (2 / 8, pytest.approx(2))


def test_codebook_usage_of_a_real_encoding_is_within_bounds(debug_codec):
    codes, _ = debug_codec.encode(torch.from_numpy(clip(1, 2.0, RATE))[None])
    counter = CodeCounter(debug_codec.num_codebooks, debug_codec.cardinality)
    counter.add(codes.numpy())
    for usage in counter.usage():
        assert 0 < usage.utilization <= 1
        assert 1 <= usage.perplexity <= min(debug_codec.cardinality, codes.shape[-1])
        assert usage.entropy_bits == pytest.approx(math.log2(usage.perplexity))
