"""Studies at corpus scale: the tokenize inputs and engines, a real kill -9 and resume, categories,
rate-quality curves, matched bitrates, the listening sample, and reading a study back."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

import codecreg
from codecreg.study.results import TIMING_COLUMNS, ComparisonTable
from codecreg.study.summaries import matched_bitrates

from dataset.conftest import ray_instance  # noqa: F401  (the module-scoped Ray fixture)
from dataset.test_resume import live_members

from .conftest import write_clip

FILES = 36
SHARD_SIZE = 2
METRICS = ["si_sdr", "mel_distance"]
SETTINGS = ["debug?num_codebooks=2", "debug?num_codebooks=4"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Clips in two category folders (``speech/``, ``music/``), different lengths and channel counts."""
    folder = tmp_path_factory.mktemp("corpus")
    for index in range(FILES):
        category = ("speech", "music")[index % 2]
        write_clip(folder / category / f"clip{index:03d}.wav", 1 + index % 3 // 2, 1.5 + (index % 4) * 0.25,
                   16000 if index % 2 else 24000, seed=index)
    return folder


def compare_args(corpus: Path, out: Path, *extra: str) -> list[str]:
    return ["compare", str(corpus), "--codecs", "debug", "--num-codebooks", "2,4", "--metrics", ",".join(METRICS),
            "--out", str(out), "--shard-size", str(SHARD_SIZE), *extra]


def run_api(corpus: Path, out: Path | None, **options):
    return codecreg.compare("debug", [corpus], num_codebooks=[2, 4], metrics=METRICS, out=out,
                            shard_size=SHARD_SIZE, show_progress=False, **options)


def without_timings(rows: list[dict]) -> list[dict]:
    return [{k: ("nan" if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()
             if k not in TIMING_COLUMNS} for row in rows]


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "study"
    return run_api(corpus, out, workers=2), out


def start_cli(arguments: list[str]) -> subprocess.Popen:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"),
                                                                            *sys.path])))
    return subprocess.Popen([sys.executable, "-m", "codecreg.cli.main", *arguments], env=environment,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def journaled(out: Path) -> int:
    path = out / "_study" / "_journal.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_kill_9_midway_then_the_same_command_gives_the_tables_of_one_clean_run(corpus, clean, tmp_path):
    table, _ = clean
    out = tmp_path / "killed"
    job = start_cli(compare_args(corpus, out, "--workers", "2"))
    deadline = time.monotonic() + 240
    while journaled(out) < 3:
        if job.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the study ended (status {job.returncode}) before 3 shards were journaled: "
                        f"{job.stderr.read().decode()[-2000:]}")
        time.sleep(0.005)
    os.killpg(job.pid, signal.SIGKILL)
    assert job.wait(timeout=30) == -signal.SIGKILL
    job.stderr.close()
    deadline = time.monotonic() + 30
    while live_members(job.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not live_members(job.pid), "the workers must die with the study's process group"
    done = journaled(out)
    assert 3 <= done < FILES // SHARD_SIZE, "the kill must land while the study was running"
    assert not (out / "results.json").exists()

    rerun = start_cli(compare_args(corpus, out, "--workers", "2"))
    _, errors = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, errors.decode()[-3000:]
    resumed = ComparisonTable.load(out)
    assert without_timings(resumed.per_input) == without_timings(table.per_input)
    assert without_timings(resumed.rows) == without_timings(table.rows)
    assert without_timings(resumed.category_rows) == without_timings(table.category_rows)
    assert resumed.codebooks == table.codebooks and resumed.inputs == table.inputs
    assert len(resumed.per_input) == len(SETTINGS) * FILES

    # a finished study's rerun does no work: nothing in the folder is written again
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    started = time.perf_counter()
    again = run_api(corpus, out, workers=2)
    assert time.perf_counter() - started < 5
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    assert without_timings(again.per_input) == without_timings(table.per_input)


def test_two_workers_give_the_table_of_one_process(corpus, clean):
    table, _ = clean
    alone = run_api(corpus, None, workers=1)
    assert without_timings(alone.per_input) == without_timings(table.per_input)
    assert alone.codebooks == table.codebooks


@pytest.mark.ray
def test_the_ray_engine_gives_the_table_of_the_local_engine(corpus, clean, tmp_path, ray_instance):  # noqa: F811
    table, _ = clean
    on_ray = run_api(corpus, tmp_path / "ray", engine="ray", workers=2)
    assert without_timings(on_ray.per_input) == without_timings(table.per_input)
    assert without_timings(on_ray.rows) == without_timings(table.rows)
    assert on_ray.codebooks == table.codebooks


# categories, curves, matched bitrates -------------------------------------------------
def test_the_first_folder_level_is_the_category_and_each_gets_a_summary(clean):
    table, out = clean
    assert table.categories == ["music", "speech"]  # clip000 is in speech/ but sorted folders put music/ first
    for category in table.categories:
        rows = [r for r in table.category_rows if r["category"] == category]
        assert [r["codec"] for r in rows] == SETTINGS
        for row in rows:
            mine = [r for r in table.per_input if r["codec"] == row["codec"] and r["category"] == category]
            assert row["inputs"] == len(mine) == FILES // 2
            assert row["si_sdr"] == pytest.approx(np.average([r["si_sdr"] for r in mine],
                                                             weights=[r["seconds"] for r in mine]))
    summary = (out / "summary.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in summary[1:]] == ["all"] * 2 + ["music"] * 2 + ["speech"] * 2
    data = json.loads((out / "results.json").read_text())
    assert data["categories"] == ["music", "speech"] and len(data["category_summary"]) == 4
    page = (out / "index.html").read_text()
    assert "<h2>Category music</h2>" in page and "<h2>Category speech</h2>" in page


def test_a_manifest_gives_categories_and_segments(tmp_path):
    write_clip(tmp_path / "a.wav", 1, 2.0, 16000, seed=1)
    write_clip(tmp_path / "b.wav", 1, 1.0, 16000, seed=2)
    manifest = tmp_path / "list.jsonl"
    manifest.write_text("\n".join(json.dumps(row) for row in [
        {"path": "a.wav", "id": "a-head", "start": 0, "end": 1.0, "category": "speech"},
        {"path": "a.wav", "id": "a-tail", "start": 1.0, "category": "speech"},
        {"path": "b.wav", "category": "music"}]) + "\n")
    table = codecreg.compare("debug", [manifest], metrics=["si_sdr"], show_progress=False)
    assert [(i["name"], i["category"], round(i["seconds"], 3)) for i in table.inputs] == [
        ("a-head", "speech", 1.0), ("a-tail", "speech", 1.0), ("b", "music", 1.0)]
    assert table.categories == ["speech", "music"]
    assert [r["inputs"] for r in table.category_rows] == [2, 1]
    heads = {r["input"]: r["si_sdr"] for r in table.per_input}
    assert heads["a-head"] != heads["a-tail"]  # two segments, two inputs


def test_bad_inputs_are_refused_before_anything_is_written(tmp_path):
    manifest = tmp_path / "in" / "list.csv"
    manifest.parent.mkdir()
    manifest.write_text("path,category\nmissing.wav,speech\n")
    with pytest.raises(codecreg.CodecregError, match="no such file"):
        codecreg.compare("debug", [manifest], out=tmp_path / "out", show_progress=False)
    with pytest.raises(codecreg.CodecregError, match="unknown engine 'spark'"):
        codecreg.compare("debug", [tmp_path / "in"], out=tmp_path / "out", engine="spark", show_progress=False)
    assert not (tmp_path / "out").exists()


def test_one_rate_quality_plot_per_metric_with_a_panel_per_category(clean):
    _, out = clean
    for metric in METRICS:
        image = imread(out / "rate_quality" / f"{metric}.png")
        assert image.shape[1] > 3 * 400  # three panels: all, music, speech
        assert image[..., :3].std() > 0.05


def test_matched_bitrates_take_each_family_s_closest_setting():
    table = ComparisonTable(rows=[{"category": "all", "codec": f"x?num_codebooks={k}", "family": "x",
                                   "bitrate_kbps": rate, "m": float(k)} for k, rate in ((1, 1.2), (2, 2.5), (3, 6.5))],
                            per_input=[], codebooks=[], metrics=[codecreg.study.results.MetricInfo("m")], inputs=[])
    matched = matched_bitrates(table)
    assert [(r["target_kbps"], r["codec"], r["m"]) for r in matched] == [
        (1.5, "x?num_codebooks=1", 1.0), (3.0, "x?num_codebooks=2", 2.0), (6.0, "x?num_codebooks=3", 3.0)]


def test_the_page_has_players_for_a_sample_of_each_category(clean):
    table, out = clean
    listened = [i["name"] for i in table.inputs if i["listened"]]
    assert len(listened) == 2 * 8
    assert sorted(p.name for p in (out / "audio").iterdir()) == sorted(listened)
    page = (out / "index.html").read_text()
    assert page.count("<audio ") == len(listened) * (1 + len(SETTINGS))
    assert "Players for 16 of the 36 inputs" in page


def test_a_finished_study_reads_back_as_its_table(clean):
    table, out = clean
    loaded = ComparisonTable.load(out)
    assert without_timings(loaded.rows) == without_timings(table.rows)
    assert loaded.to_json() == table.to_json() and loaded.metrics == table.metrics
    with pytest.raises(codecreg.CodecregError, match="holds no finished study"):
        ComparisonTable.load(out / "_study")


def test_another_study_in_the_folder_is_refused(corpus, clean):
    _, out = clean
    with pytest.raises(codecreg.CodecregError, match="holds a previous study"):
        codecreg.compare("debug", [corpus], metrics=["si_sdr"], out=out, show_progress=False)


def test_long_inputs_go_through_the_chunked_path_with_the_same_numbers(tmp_path, monkeypatch):
    from codecreg.codec.debug_codec import DebugCompressionModel
    from codecreg.study import study_task

    write_clip(tmp_path / "long.wav", 1, 3.0, 32000, seed=5)
    whole = codecreg.compare("debug", [tmp_path], metrics=["si_sdr", "mel_distance"], show_progress=False)
    streamed = []
    original = DebugCompressionModel.encode_stream

    def counting(self, blocks):
        streamed.append(1)
        return original(self, blocks)

    monkeypatch.setattr(DebugCompressionModel, "encode_stream", counting)
    monkeypatch.setattr(study_task, "STREAM_SECONDS", 1.0)
    monkeypatch.setattr(study_task, "BLOCK_SECONDS", 0.7)
    chunked = codecreg.compare("debug", [tmp_path], metrics=["si_sdr", "mel_distance"], show_progress=False)
    assert streamed, "a 3 s input over a 1 s limit must be coded in chunks"
    for a, b in zip(whole.per_input, chunked.per_input):
        assert b["si_sdr"] == pytest.approx(a["si_sdr"], abs=1e-4)
        assert b["mel_distance"] == pytest.approx(a["mel_distance"], rel=1e-5)
    assert whole.codebooks == chunked.codebooks
