"""Both engines on one mixed folder: identical rows, each row equal to ``codec.encode`` of its file alone,
whatever the number of workers; failures in the errors table and the exit status."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from codecreg import tokenize_dataset

from .conftest import BROKEN, MIXED, NON_FINITE, reference_codes, rows_of, run_cli


@pytest.fixture(scope="module")
def local_runs(mixed_folder, tmp_path_factory):
    """The mixed folder tokenized by the local engine with 1 and with 2 workers (shards of 3 inputs)."""
    runs = {}
    for workers in (1, 2):
        out = tmp_path_factory.mktemp(f"local{workers}")
        summary = tokenize_dataset([mixed_folder], "debug", out, workers=workers, shard_size=3,
                                   show_progress=False)
        runs[workers] = (out, summary)
    return runs


def test_rows_equal_codec_encode_of_each_file_alone(local_runs, mixed_folder, debug_codec):
    out, summary = local_runs[1]
    rows = rows_of(out)
    assert [row["id"] for row in rows] == sorted(name for name, *_ in MIXED)
    distinct = set()
    for row in rows:
        name, rate, channels, seconds = next(entry for entry in MIXED if entry[0] == row["id"])
        expected = reference_codes(debug_codec, mixed_folder / name)
        assert np.array_equal(np.array(row["codes"]), expected), row["id"]
        assert row["num_frames"] == expected.shape[1] and len(row["codes"]) == debug_codec.num_codebooks
        assert row["length"] == round(seconds * rate) * 32000 // rate or abs(
            row["length"] - seconds * 32000) <= 1  # soxr rounds the converted length
        assert (row["sample_rate"], row["source_sample_rate"], row["source_channels"]) == (32000, rate, channels)
        distinct |= set(np.array(row["codes"]).ravel().tolist())
    assert len(distinct) > 50, "codes must vary, or equality proves nothing"
    assert summary.inputs_done == len(MIXED) and summary.failures == 2
    assert summary.tokens == sum(np.array(row["codes"]).size for row in rows)


def test_the_number_of_workers_changes_nothing(local_runs):
    (one, _), (two, _) = local_runs[1], local_runs[2]
    assert rows_of(one) == rows_of(two)
    assert sorted(p.name for p in one.glob("shard-*")) == sorted(p.name for p in two.glob("shard-*")) == [
        "shard-00000.parquet", "shard-00001.parquet", "shard-00002.parquet"]


def test_failures_go_to_the_errors_table_and_the_rest_go_on(local_runs, mixed_folder):
    out, _ = local_runs[2]
    with open(out / "_errors.csv", newline="") as handle:
        failures = {row["source"]: row["reason"] for row in csv.DictReader(handle)}
    assert set(failures) == {str(mixed_folder / BROKEN), str(mixed_folder / NON_FINITE)}
    assert "cannot read" in failures[str(mixed_folder / BROKEN)]
    assert "NaN or infinite" in failures[str(mixed_folder / NON_FINITE)]


def test_cli_exit_status_is_1_with_a_failure_and_0_without(mixed_folder, tmp_path):
    failed = run_cli(str(mixed_folder), "--codec", "debug", "--out", str(tmp_path / "all"), "--workers", "1")
    assert failed.returncode == 1, failed.stderr
    assert "failures: 2" in failed.stdout and "skipped" in failed.stderr and "notes.txt" in failed.stderr
    clean = run_cli(str(mixed_folder / "part1"), "--codec", "debug", "--out", str(tmp_path / "part1"),
                    "--workers", "1")
    assert clean.returncode == 0, clean.stderr
    assert "tokenized 3 of 3 input(s)" in clean.stdout and "failures: 0" in clean.stdout
    assert [row["id"] for row in rows_of(tmp_path / "part1")] == [
        "clip001.wav", "clip002.ogg", "deeper/clip003.wav"]


@pytest.mark.ray
def test_ray_engine_gives_the_local_engine_rows(local_runs, mixed_folder, tmp_path, ray_instance):
    summary = tokenize_dataset([mixed_folder], "debug", tmp_path / "ray-out", engine="ray", workers=2,
                               shard_size=3, show_progress=False)
    assert rows_of(tmp_path / "ray-out") == rows_of(local_runs[1][0])
    assert summary.failures == 2
    assert (tmp_path / "ray-out" / "_errors.csv").read_text() == (local_runs[1][0] / "_errors.csv").read_text()
