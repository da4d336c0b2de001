"""codecreg.compare and `codecreg compare`: the numbers, the files, determinism and metric plugins."""

import csv
import json
import math
import re
import sys
from importlib.metadata import EntryPoint, entry_points

import numpy as np
import pytest
import soundfile
import torch
from matplotlib.image import imread

import codecreg
from codecreg.cli.main import main
from codecreg.codec.debug_codec import DebugCompressionModel
from codecreg.registry.discovery import discover
from codecreg.study.setting_names import family_name, setting_name, split_codec_names
from codecreg.study.results import TIMING_COLUMNS

from .conftest import FIRST_PARTY_METRICS, clip, write_clip

SETTINGS = ["debug?num_codebooks=2", "debug?num_codebooks=4"]


def test_one_row_per_setting_and_per_input(study):
    table, _ = study
    assert table.settings == SETTINGS
    assert [(r["codec"], r["input"]) for r in table.per_input] == [
        (s, i) for s in SETTINGS for i in ("music", "speech")]
    assert [(c["codec"], c["codebook"]) for c in table.codebooks] == [(s, k) for s, n in zip(SETTINGS, (2, 4))
                                                                      for k in range(n)]
    assert table.warnings == ["debug has 4 codebooks: num_codebooks=5 skipped"]


def test_bitrate_and_token_rate(study):
    table, _ = study
    for row in table:
        k = row["num_codebooks"]
        assert row["bitrate_kbps"] == pytest.approx(k * math.log2(400) * 25 / 1000)
        assert row["tokens_per_s"] == k * 25
        assert row["encode_rtf"] > 0 and row["decode_rtf"] > 0


def test_codebook_usage_is_within_bounds(study):
    table, _ = study
    for usage in table.codebooks:
        assert 0 < usage["utilization"] <= 1
        assert 1 <= usage["perplexity"] <= 400
    for row in table:
        assert 0 < row["utilization"] <= 1


def test_metrics_are_finite_means_over_inputs_weighted_by_duration(study):
    table, _ = study
    assert [m.name for m in table.metrics] == ["si_sdr", "mel_distance", "stft_distance"]
    for row in table:
        scores = [r for r in table.per_input if r["codec"] == row["codec"]]
        assert [r["seconds"] for r in scores] == pytest.approx([0.8, 1.2])
        for metric in ("si_sdr", "mel_distance", "stft_distance", "delay_ms"):
            assert math.isfinite(row[metric])
            assert row[metric] == pytest.approx(
                np.average([r[metric] for r in scores], weights=[r["seconds"] for r in scores]))
        assert row["mel_distance"] > 0 and row["stft_distance"] > 0


def test_a_short_clip_weighs_in_the_summary_by_its_duration():
    """A 40 ms clip beside a 2 s one moves the summary by a fiftieth of its difference, not by half."""
    long, short = ("long", clip(1, 2.0, 32000, seed=3), 32000), ("short", clip(1, 0.04, 32000, seed=4), 32000)
    table = codecreg.compare("debug", [long, short], metrics=["mel_distance"], show_progress=False)
    for column in ("mel_distance", "delay_ms"):
        scores = {r["input"]: r[column] for r in table.per_input}
        assert abs(scores["long"] - scores["short"]) > 0.1  # else the weighting would not show
        assert table[0][column] == pytest.approx((2.0 * scores["long"] + 0.04 * scores["short"]) / 2.04)


def test_metrics_score_the_written_reconstruction_against_the_converted_input(study, study_inputs):
    """Recompute one row by hand: convert, encode, decode, align, score."""
    from codecreg_metrics.si_sdr import si_sdr

    table, out = study
    row = table.per_input[0]
    assert (row["codec"], row["input"]) == ("debug?num_codebooks=2", "music")
    codec = codecreg.load_codec("debug?num_codebooks=2")
    wav, rate = codecreg.audio_read(study_inputs / "music.wav")
    reference = codecreg.convert_audio(wav, rate, 32000, 1)
    decoded = codec.decode(*codec.encode(torch.from_numpy(reference)[None]), length=reference.shape[-1])[0].numpy()
    written, written_rate = codecreg.audio_read(out / "audio" / "music" / "debug_num_codebooks-2.wav")
    assert written_rate == 32000 and written.shape == decoded.shape
    np.testing.assert_allclose(written, np.clip(decoded, -1, 1), atol=1.5 / 32768)
    delay = round(row["delay_ms"] * 32000 / 1000)
    aligned = (reference[:, : reference.shape[-1] - delay], decoded[:, delay:]) if delay >= 0 else (
        reference[:, -delay:], decoded[:, :delay])
    assert row["si_sdr"] == pytest.approx(si_sdr(*aligned))


def test_numbers_are_deterministic(study, study_inputs):
    first, _ = study
    second = codecreg.compare("debug", [study_inputs], num_codebooks=[2, 4], metrics=FIRST_PARTY_METRICS,
                              show_progress=False)
    for a, b in zip(first.per_input + first.rows, second.per_input + second.rows):
        assert {k: v for k, v in a.items() if k not in TIMING_COLUMNS} == {
            k: v for k, v in b.items() if k not in TIMING_COLUMNS}
    assert first.codebooks == second.codebooks


def test_tables_are_written_as_csv_json_and_markdown(study):
    table, out = study
    with open(out / "summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["codec"] for r in rows] == SETTINGS
    assert [float(r["si_sdr"]) for r in rows] == table.column("si_sdr")
    with open(out / "codebooks.csv", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 6
    data = json.loads((out / "results.json").read_text())
    assert data["summary"] == table.rows and data["per_input"] == table.per_input and data["seed"] == 0
    assert [i["name"] for i in data["inputs"]] == ["music", "speech"]
    markdown = (out / "results.md").read_text()
    assert all(f"`{s}`" in markdown for s in SETTINGS)
    assert markdown.split("\n\n")[0].count("\n|") == 3  # header, rule, two rows: the summary
    assert "## At matched bitrates" in markdown and "## Category" not in markdown  # no categories here


@pytest.mark.parametrize("name", ["rate_distortion.png", "spectrograms/music.png", "spectrograms/speech.png"])
def test_pictures_are_drawn(study, name):
    _, out = study
    image = imread(out / name)
    assert image.shape[0] > 300 and image.shape[1] > 600
    assert image[..., :3].std() > 0.05  # not blank


def test_page_links_only_files_inside_the_study_folder(study):
    _, out = study
    page = (out / "index.html").read_text()
    sources = re.findall(r'src="([^"]+)"', page)
    assert len([s for s in sources if s.endswith(".wav")]) == 2 * (1 + len(SETTINGS))
    for source in sources:
        assert not re.match(r"^[a-z]+:", source) and (out / source).is_file(), source
    assert "<script" not in page and "http" not in page


# names ------------------------------------------------------------------------
def test_codec_lists_split_between_names_not_inside_options():
    assert split_codec_names("debug?num_codebooks=2,channels=2, dac_44khz,,hf:org/x@v1?bw=6") == [
        "debug?num_codebooks=2,channels=2", "dac_44khz", "hf:org/x@v1?bw=6"]


def test_setting_names_are_loadable_names():
    assert setting_name("debug?channels=2,bandwidth=1", 2) == "debug?channels=2,num_codebooks=2"
    assert family_name("debug?n_q=2,channels=2") == "debug?channels=2"
    assert codecreg.load_codec(setting_name("debug?channels=2", 3)).num_codebooks == 3


# inputs -----------------------------------------------------------------------
def test_an_unreadable_input_is_reported_and_the_rest_are_compared(tmp_path):
    write_clip(tmp_path / "good.wav", 1, 0.5, 32000)
    (tmp_path / "broken.wav").write_bytes(b"RIFF but not really")
    (tmp_path / "notes.txt").write_text("not audio")
    table = codecreg.compare(["debug"], [tmp_path], show_progress=False)
    assert [i["name"] for i in table.inputs] == ["good"]
    assert any("broken.wav" in w for w in table.warnings) and any("notes.txt" in w for w in table.warnings)


def test_cli_compare_skips_empty_and_non_finite_files_with_a_warning(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_clip(inputs / "good.wav", 1, 0.5, 32000)
    soundfile.write(inputs / "empty.wav", np.zeros(0, dtype=np.float32), 32000)
    with_nan = clip(1, 0.5, 32000)[0]
    with_nan[100] = np.nan
    soundfile.write(inputs / "nan.wav", with_nan, 32000, subtype="FLOAT")
    status = main(["compare", "--codecs", "debug", str(inputs), "--out", str(tmp_path / "study"),
                   "--metrics", "si_sdr"])
    errors = capsys.readouterr().err
    assert status == 0
    assert "empty.wav: ValueError:" in errors and "holds no samples" in errors
    assert "nan.wav: ValueError:" in errors and "1 NaN or infinite sample(s)" in errors
    assert [i["name"] for i in json.loads((tmp_path / "study" / "results.json").read_text())["inputs"]] == ["good"]


def test_in_memory_inputs_and_unknown_codecs():
    table = codecreg.compare("debug", [("a b", clip(1, 0.3, 16000), 16000)], show_progress=False)
    assert table.inputs[0]["name"] == "a_b" and table["debug"]["num_codebooks"] == 4
    with pytest.raises(codecreg.UnknownNameError, match="Did you mean 'debug'"):
        codecreg.compare("debugg", [("a", clip(1, 0.3, 16000), 16000)])


# third-party metrics ------------------------------------------------------------
@pytest.fixture
def with_metric_plugin():
    points = [*entry_points(group="codecreg"),
              EntryPoint(name="fake_metrics", value="study.fake_metric_plugin", group="codecreg")]
    codecreg.reset_registry(discover(points, strict=True))
    yield
    codecreg.reset_registry(None)


def test_metric_plugins_add_columns_and_a_failing_metric_costs_only_its_column(with_metric_plugin):
    table = codecreg.compare(["debug?num_codebooks=1"], [("x", clip(1, 0.5, 32000), 32000)], show_progress=False)
    names = [m.name for m in table.metrics]
    ready = {spec.name for spec in codecreg.get_registry().metrics.values()
             if spec.default and not spec.missing_requirements()}
    assert set(names) == ready and {"si_sdr", "mel_distance", "stft_distance", "always_fails", "peak_ratio"} <= ready
    assert "peak_ratio" in table.columns
    row = table[0]
    assert row["peak_ratio"] > 0 and math.isfinite(row["si_sdr"]) and math.isnan(row["always_fails"])
    assert any("always_fails failed for debug?num_codebooks=1 on x: RuntimeError" in w for w in table.warnings)
    assert json.loads(table.to_json())["summary"][0]["always_fails"] is None


def test_chosen_metrics_only(with_metric_plugin):
    table = codecreg.compare("debug", [("x", clip(1, 0.3, 32000), 32000)], metrics=["peak_ratio"],
                             show_progress=False)
    assert [m.name for m in table.metrics] == ["peak_ratio"] and "si_sdr" not in table[0]


# command line -------------------------------------------------------------------
def test_cli_compare_writes_the_report(tmp_path, study_inputs, capsys):
    out = tmp_path / "report"
    status = main(["compare", "--codecs", "debug?num_codebooks=1,channels=1,debug", str(study_inputs / "speech.wav"),
                   "--out", str(out), "--metrics", "si_sdr"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "`debug?channels=1,num_codebooks=1`" in printed and "`debug`" in printed
    assert (out / "index.html").is_file() and (out / "audio" / "speech" / "debug.wav").is_file()


def test_cli_compare_bad_codebook_list(tmp_path, study_inputs, capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--codecs", "debug", "--num-codebooks", "1,two", str(study_inputs), "--out", str(tmp_path)])
    assert "whole numbers" in capsys.readouterr().err


@pytest.mark.parametrize("device", ["bogus", "cuda:7"])
def test_cli_compare_on_a_device_not_here_names_the_devices_here(tmp_path, study_inputs, capsys, device):
    if device == "cuda:7" and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    status = main(["compare", "--codecs", "debug", str(study_inputs), "--out", str(tmp_path / "study"),
                   "--device", device])
    errors = capsys.readouterr().err
    assert status == 2
    assert f"device '{device}' is not usable here" in errors and "Devices here: cpu" in errors
    assert not (tmp_path / "study").exists()


def test_cli_compare_out_pointing_at_a_file_is_refused(tmp_path, study_inputs, capsys):
    (tmp_path / "taken").write_text("not a folder")
    status = main(["compare", "--codecs", "debug", str(study_inputs), "--out", str(tmp_path / "taken")])
    assert status == 2
    assert "taken is a file. Name a folder for the study" in capsys.readouterr().err
    assert (tmp_path / "taken").read_text() == "not a folder"


def test_to_pandas_without_pandas_says_how_to_install_it(study, monkeypatch):
    table, _ = study
    monkeypatch.setitem(sys.modules, "pandas", None)  # what importing an absent package does
    with pytest.raises(codecreg.MissingDependencyError, match="pip install pandas"):
        table.to_pandas()


# a study that fails, and the study folder ----------------------------------------
class CannotEncode(DebugCompressionModel):
    """A codec that loads but fails on its first input, as a plugin's bug would."""

    def encode(self, x):
        raise RuntimeError("this codec cannot encode")


def build_codec_that_cannot_encode(device="cpu"):
    return CannotEncode().to(device)


@pytest.fixture
def with_codec_that_cannot_encode():
    codecreg.register(codecreg.CodecSpec(name="cannot_encode", factory=f"{__name__}:build_codec_that_cannot_encode",
                                         sample_rate=32000, channels=1, frame_rate=25.0, cardinality=400,
                                         num_codebooks=4, total_codebooks=4))
    yield
    codecreg.reset_registry(None)


def files_under(folder):
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


def test_a_codec_that_fails_to_load_stops_the_study_before_anything_is_written(tmp_path):
    out = tmp_path / "new" / "study"
    with pytest.raises(codecreg.InvalidNameError, match="channels must be a whole number"):
        codecreg.compare(["debug", "debug?channels=x"], [("x", clip(1, 0.5, 32000), 32000)], out=out,
                         show_progress=False)
    assert files_under(tmp_path) == []


def test_a_study_that_fails_midway_removes_what_it_wrote(tmp_path, with_codec_that_cannot_encode):
    out = tmp_path / "study"
    out.mkdir()
    with pytest.raises(RuntimeError, match="cannot encode"):
        codecreg.compare(["debug", "cannot_encode"], [("x", clip(1, 0.5, 32000), 32000)], out=out,
                         show_progress=False)
    assert files_under(tmp_path) == ["study"]  # the folder as it was: there, empty


def test_a_non_finite_input_is_refused_before_anything_is_written(tmp_path):
    wav = clip(1, 0.5, 32000)
    wav[0, 10] = np.inf
    with pytest.raises(ValueError, match="input 'x' has 1 NaN or infinite sample"):
        codecreg.compare("debug", [("x", wav, 32000)], out=tmp_path / "study", show_progress=False)
    assert files_under(tmp_path) == []


def test_a_previous_study_is_kept_unless_overwrite_then_replaced_once_the_new_one_is_complete(
        tmp_path, with_codec_that_cannot_encode):
    out, inputs = tmp_path / "study", [("x", clip(1, 0.5, 32000), 32000)]
    codecreg.compare("debug?num_codebooks=1", inputs, out=out, metrics=["si_sdr"], show_progress=False)
    (out / "notes.txt").write_text("mine")
    before = {name: (out / name).read_bytes() for name in files_under(out) if (out / name).is_file()}

    with pytest.raises(codecreg.CodecregError, match="holds a previous study.*--overwrite"):
        codecreg.compare("debug?num_codebooks=2", inputs, out=out, show_progress=False)
    with pytest.raises(RuntimeError, match="cannot encode"):
        codecreg.compare("cannot_encode", inputs, out=out, overwrite=True, show_progress=False)
    assert {name: (out / name).read_bytes() for name in files_under(out) if (out / name).is_file()} == before

    codecreg.compare("debug?num_codebooks=2", inputs, out=out, overwrite=True, metrics=["si_sdr"],
                     show_progress=False)
    assert json.loads((out / "results.json").read_text())["summary"][0]["codec"] == "debug?num_codebooks=2"
    assert sorted(p.name for p in (out / "audio" / "x").iterdir()) == ["debug_num_codebooks-2.wav", "original.wav"]
    assert (out / "notes.txt").read_text() == "mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_folder_of_other_files_is_refused_even_with_overwrite(tmp_path, study_inputs, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "audio").mkdir()
    (out / "audio" / "keep.wav").write_bytes(b"not a study")
    status = main(["compare", "--codecs", "debug", "--out", str(out), "--overwrite", str(study_inputs)])
    assert status == 2
    assert "already holds files that are not a codecreg study" in capsys.readouterr().err
    assert files_under(out) == ["audio", "audio/keep.wav"]
