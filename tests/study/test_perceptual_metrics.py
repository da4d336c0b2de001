"""The perceptual metrics: each equals its own library on the arrays the study converts for it, tops its
scale on identical speech, drops on a degraded copy, and leaves an input it cannot score empty, saying why.

The speech is espeak-ng's (Debian's ``espeak-ng``); without it these tests skip, saying so.
"""

import json
import math
import re
import shutil
import subprocess

import numpy as np
import pytest

import codecreg
from codecreg.study.scoring import load_metrics, metric_audio, score

RATE = 22050  # espeak-ng's rate: every metric here converts from it
SENTENCE = "Codecs should keep every word of this sentence clear."
PERCEPTUAL = ["pesq", "pesq_nb", "stoi", "estoi", "visqol", "visqol_speech", "dnsmos"]


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    """About 3 s of espeak-ng speech, [1, T] float32 at 22.05 kHz."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install -y espeak-ng): the speech these tests score")
    path = tmp_path_factory.mktemp("speech") / "sentence.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SENTENCE], check=True, timeout=60)
    wav, rate = codecreg.audio_read(path)
    assert rate == RATE
    return np.ascontiguousarray(wav, dtype=np.float32)


@pytest.fixture(scope="module")
def degraded(speech):
    """The speech with white noise at 0 dB SNR."""
    noise = np.random.default_rng(0).standard_normal(speech.shape).astype(np.float32)
    noise *= np.sqrt((speech ** 2).mean() / (noise ** 2).mean())
    return (speech + noise).astype(np.float32)


@pytest.fixture(scope="module")
def metrics():
    """Each perceptual metric built once (ViSQOL and DNSMOS load their models)."""
    for module in ("pesq", "pystoi", "visqol", "speechmos"):
        pytest.importorskip(module, reason=f"{module} is in codecreg[metrics]: pip install 'codecreg[metrics]'")
    return {metric.info.name: metric for metric in load_metrics(PERCEPTUAL)}


def library_value(name, reference, estimate, rate):
    """What the library itself gives on these 1-D arrays."""
    if name in ("pesq", "pesq_nb"):
        import pesq

        return pesq.pesq(rate, reference, estimate, "wb" if name == "pesq" else "nb")
    if name in ("stoi", "estoi"):
        import pystoi

        return pystoi.stoi(reference, estimate, rate, extended=name == "estoi")
    if name in ("visqol", "visqol_speech"):
        from visqol import VisqolApi

        api = VisqolApi()
        api.create(mode="audio") if name == "visqol" else api.create(mode="speech", use_lattice_model=True)
        return api.measure_from_arrays(reference, estimate, rate).moslqo
    from speechmos import dnsmos

    return dnsmos.run(estimate, rate)["ovrl_mos"]


@pytest.mark.parametrize("name", PERCEPTUAL)
def test_each_metric_equals_its_library_on_the_converted_arrays(metrics, speech, degraded, name):
    metric = metrics[name]
    reference, rate = metric_audio(metric, speech, RATE)
    estimate, _ = metric_audio(metric, degraded, RATE)
    expected_rate = {"pesq": 16000, "pesq_nb": 8000, "stoi": 10000, "estoi": 10000, "visqol": 48000}.get(name, 16000)
    assert rate == expected_rate and reference.shape == (1, round(speech.shape[-1] * rate / RATE))
    # convert_audio resamples with soxr: exactly what the study hands the metric
    np.testing.assert_array_equal(reference, codecreg.convert_audio(speech, RATE, rate, 1))
    expected = library_value(name, reference[0].astype(np.float64), estimate[0].astype(np.float64), rate)
    if name.startswith("visqol"):  # ViSQOL itself: its first call on arrays and its later ones differ at 1e-14
        assert score(metric, speech, degraded, RATE) == pytest.approx(float(expected), rel=1e-12, abs=0)
    else:
        assert score(metric, speech, degraded, RATE) == float(expected)


# The tops: P.862.2's mapping ends at 4.64, P.862.1's at 4.549; ViSQOL audio's SVR gives 4.73 to a perfect copy,
# its speech lattice model 4.52 to this sentence (ViSQOL's scale ends below 5: no copy reaches it)
@pytest.mark.parametrize("name, top", [("pesq", 4.64), ("pesq_nb", 4.549), ("stoi", 1.0), ("estoi", 1.0),
                                       ("visqol", 4.73), ("visqol_speech", 4.52)])
def test_identical_speech_tops_the_scale_and_a_degraded_copy_scores_lower(metrics, speech, degraded, name, top):
    identical = score(metrics[name], speech, speech, RATE)
    assert identical == pytest.approx(top, abs=0.01)
    low, high = metrics[name].spec.value_range
    assert low <= score(metrics[name], speech, degraded, RATE) < identical - 0.05 <= high


def test_dnsmos_needs_no_reference_and_rates_noisy_speech_lower(metrics, speech, degraded):
    metric = metrics["dnsmos"]
    assert not metric.info.needs_reference and metric.spec.value_range == (1.0, 5.0)
    clean, noisy = score(metric, None, speech, RATE), score(metric, None, degraded, RATE)
    assert 1.0 <= noisy < clean - 0.5 <= 5.0


@pytest.mark.parametrize("name, audio, reason", [
    ("pesq", "silence", "the reference is silent"),
    ("pesq", "0.2 s", "0.200 s is shorter than the 0.25 s PESQ needs"),
    ("pesq_nb", "0.2 s", "0.200 s is shorter than the 0.25 s PESQ needs"),
    ("stoi", "silence", "the reference is silent"),
    ("estoi", "0.1 s", "pystoi: Not enough STFT frames"),
    ("visqol", "0.1 s", "ViSQOL could not score 0.100 s"),
    ("visqol_speech", "0.1 s", "ViSQOL could not score 0.100 s"),
    ("dnsmos", "too loud", "DNSMOS takes samples in [-1, 1]; the peak is 1.7"),
])
def test_an_input_a_metric_cannot_score_raises_with_the_reason(metrics, speech, name, audio, reason):
    wav = {"silence": np.zeros_like(speech), "0.2 s": speech[:, 5000:5000 + RATE // 5],
           "0.1 s": speech[:, 5000:5000 + RATE // 10], "too loud": speech * np.float32(1.75 / np.abs(speech).max())}[audio]
    reference = None if name == "dnsmos" else wav
    with pytest.raises(codecreg.UnscorableError) as caught:
        score(metrics[name], reference, wav, RATE)
    assert reason in str(caught.value)


def test_a_study_leaves_unscorable_inputs_empty_says_why_and_counts_what_it_scored(metrics, speech, tmp_path):
    inputs = [("sentence", speech, RATE), ("blip", speech[:, 5000:5000 + RATE // 5], RATE),
              ("silence", np.zeros((1, RATE), np.float32), RATE)]
    table = codecreg.compare("debug", inputs, metrics=["pesq", "stoi", "dnsmos"], out=tmp_path / "study",
                             show_progress=False)
    rows = {row["input"]: row for row in table.per_input}
    assert math.isfinite(rows["sentence"]["pesq"]) and math.isfinite(rows["sentence"]["stoi"])
    # 0.2 s, less the codec's delay after alignment
    assert math.isnan(rows["blip"]["pesq"]) and re.search(r"pesq: 0\.1\d\d s is shorter than the 0.25 s PESQ needs",
                                                          rows["blip"]["unscored"])
    assert math.isnan(rows["silence"]["stoi"]) and "stoi: the reference is silent" in rows["silence"]["unscored"]
    summary = table[0]
    assert summary["pesq_scored"] == summary["stoi_scored"] == 1 and summary["pesq"] == rows["sentence"]["pesq"]
    # DNSMOS scores the input too, the ceiling, at the codec's rate as the codec saw it
    codec_rate, channels = summary["sample_rate"], summary["channels"]
    as_the_codec_saw_it = codecreg.convert_audio(speech, RATE, codec_rate, channels)
    assert rows["sentence"]["dnsmos_input"] == score(metrics["dnsmos"], None, as_the_codec_saw_it, codec_rate)
    assert "dnsmos_input_scored" in summary and "dnsmos_input" in table.columns
    assert "(1/3)" in table.to_markdown()
    saved = json.loads((tmp_path / "study" / "results.json").read_text())
    assert {"sentence": None, "blip": None, "silence": None} != {r["input"]: r["pesq"] for r in saved["per_input"]}
    assert [r["pesq"] is None for r in saved["per_input"]] == [False, True, True]
    assert "unscored" in (tmp_path / "study" / "per_input.csv").read_text().splitlines()[0]


def test_a_missing_library_is_skipped_unless_named_then_refused_with_the_install_command():
    spec = codecreg.MetricSpec(name="needs_missing", factory="nowhere:build", requires=("no_such_library_here",),
                               install="pip install 'codecreg[metrics]'")
    codecreg.register(spec)
    try:
        table = codecreg.compare("debug", [("x", np.zeros((1, 8000), np.float32) + 0.1, 16000)], show_progress=False)
        assert "needs_missing" not in [m.name for m in table.metrics]
        assert any("metric needs_missing skipped: missing no_such_library_here: pip install 'codecreg[metrics]'" in w
                   for w in table.warnings)
        with pytest.raises(codecreg.MissingDependencyError, match=r"Install it with: pip install 'codecreg\[metrics\]'"):
            codecreg.compare("debug", [("x", np.zeros((1, 8000), np.float32), 16000)], metrics=["needs_missing"])
    finally:
        codecreg.reset_registry(None)


def test_by_default_a_study_leaves_out_the_metrics_costlier_than_coding_and_all_names_them_too():
    """ViSQOL and DNSMOS cost more per input than a codec's round trip: a corpus study scores them when
    they are named, or with ``all``, which also reaches an installed metric plugin's off-by-default metric."""
    from codecreg.study.scoring import choose_metrics

    costly = {"visqol", "visqol_speech", "dnsmos"}
    by_default = {spec.name for spec in choose_metrics(None)}
    assert {"si_sdr", "mel_distance", "stft_distance", "pesq", "pesq_nb", "stoi", "estoi"} <= by_default
    assert not by_default & costly
    assert costly <= {spec.name for spec in choose_metrics(["all"])}
    assert [spec.name for spec in choose_metrics(["visqol", "si_sdr"])] == ["visqol", "si_sdr"]
    codecreg.register(codecreg.MetricSpec(name="opt_in", factory="codecreg_metrics.si_sdr:build", default=False))
    try:
        assert "opt_in" not in {spec.name for spec in choose_metrics(None)}
        assert "opt_in" in {spec.name for spec in choose_metrics(["all"])}
    finally:
        codecreg.reset_registry(None)


def test_a_metric_spec_refuses_what_it_cannot_mean():
    with pytest.raises(ValueError, match="channel_mode must be one of all, mono, per_channel"):
        codecreg.MetricSpec(name="m", factory="x:y", channel_mode="stereo")
    with pytest.raises(ValueError, match="value_range must be"):
        codecreg.MetricSpec(name="m", factory="x:y", value_range=(5.0, 1.0))
    spec = codecreg.MetricSpec(name="m", factory="x:y", sample_rates=(16000, 8000))
    assert (spec.scoring_rate(8000), spec.scoring_rate(44100)) == (8000, 16000)


def test_a_per_channel_metric_is_called_on_each_channel_and_gives_their_mean():
    from codecreg.study.scoring import Metric, metric_info

    spec = codecreg.MetricSpec(name="first_sample", factory="x:y", channel_mode="per_channel", sample_rates=(8000,))
    seen = []

    def first_sample(reference, estimate, sample_rate):
        seen.append((reference.shape, sample_rate))
        return float(estimate[0, 0] - reference[0, 0])

    stereo = np.stack([np.full(1600, 0.25, np.float32), np.full(1600, 0.75, np.float32)])
    value = score(Metric(metric_info(spec), first_sample, spec), np.zeros_like(stereo), stereo, 16000)
    assert seen == [((1, 800), 8000), ((1, 800), 8000)]
    assert value == pytest.approx(float(np.mean(codecreg.convert_audio(stereo, 16000, 8000, 2)[:, 0])))
