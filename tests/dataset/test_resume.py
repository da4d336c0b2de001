"""Resumption: a real ``kill -9`` of a running job's process group and a rerun give exactly the rows of one
clean run; a finished job does no work on a rerun; another codec or other inputs are refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codecreg import tokenize_dataset

from .conftest import rows_of, run_cli, write_audio

FILES = 40
SHARD_SIZE = 2


@pytest.fixture(scope="module")
def many_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    for index in range(FILES):
        write_audio(folder / f"group{index % 3}" / f"clip{index:03d}.wav", 16000, 1 + index % 2, 4.0, index)
    return folder


@pytest.fixture(scope="module")
def clean_rows(many_files, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("clean")
    tokenize_dataset([many_files], "debug", out, workers=2, shard_size=SHARD_SIZE, show_progress=False)
    return rows_of(out)


def live_members(group: int) -> list[int]:
    """Processes of process group ``group`` that are still running (zombies waiting for a reaper are not)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def start_job(many_files: Path, out: Path) -> subprocess.Popen:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"),
                                                                            *sys.path])))
    return subprocess.Popen([sys.executable, "-m", "codecreg.cli.main", "tokenize", str(many_files), "--codec",
                             "debug", "--out", str(out), "--workers", "2", "--shard-size", str(SHARD_SIZE)],
                            env=environment, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def kill_after_shards(job: subprocess.Popen, out: Path, shards: int) -> int:
    """``kill -9`` the job's whole process group once ``shards`` more shards exist; the shards then."""
    before = len(list(out.glob("shard-*.parquet")))
    deadline = time.monotonic() + 240
    while len(list(out.glob("shard-*.parquet"))) < before + shards:
        if job.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the job ended (status {job.returncode}) before {shards} more shard(s) were written")
        time.sleep(0.005)
    os.killpg(job.pid, signal.SIGKILL)
    assert job.wait(timeout=30) == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while live_members(job.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not live_members(job.pid), "the workers must die with the job's process group"
    return len(list(out.glob("shard-*.parquet")))


def test_kill_9_twice_then_rerun_gives_the_rows_of_one_clean_run(many_files, clean_rows, tmp_path):
    out = tmp_path / "killed"
    total_shards = FILES // SHARD_SIZE
    first = kill_after_shards(start_job(many_files, out), out, 2)
    second = kill_after_shards(start_job(many_files, out), out, 3)
    assert 2 <= first < second < total_shards, "both kills must land while the job was running"
    rerun = run_cli(str(many_files), "--codec", "debug", "--out", str(out), "--workers", "2",
                    "--shard-size", str(SHARD_SIZE))
    assert rerun.returncode == 0, rerun.stderr
    assert "done by an earlier run" in rerun.stdout
    assert rows_of(out) == clean_rows
    assert not list(out.glob(".*.partial"))
    journaled = [line for line in (out / "_journal.jsonl").read_text().splitlines()]
    assert len(journaled) == total_shards


def test_a_rerun_of_a_finished_job_does_no_work(many_files, clean_rows, tmp_path):
    out = tmp_path / "done"
    tokenize_dataset([many_files], "debug", out, workers=1, shard_size=SHARD_SIZE, show_progress=False)
    stamps = {path.name: path.stat().st_mtime_ns for path in out.iterdir() if path.name != "_errors.csv"}
    started = time.perf_counter()
    summary = tokenize_dataset([many_files], "debug", out, workers=1, shard_size=SHARD_SIZE, show_progress=False)
    assert summary.inputs_done == 0 and summary.already_done == FILES
    assert summary.startup_seconds == 0.0, "no worker may be started"
    assert time.perf_counter() - started < 5
    assert {path.name: path.stat().st_mtime_ns for path in out.iterdir() if path.name != "_errors.csv"} == stamps
    assert rows_of(out) == clean_rows


def test_another_codec_or_other_options_are_refused(many_files, tmp_path):
    out = tmp_path / "one-codec"
    tokenize_dataset([many_files / "group0"], "debug", out, workers=1, show_progress=False)
    before = {path.name: path.read_bytes() for path in out.glob("shard-*")}
    refused = run_cli(str(many_files / "group0"), "--codec", "debug?num_codebooks=2", "--out", str(out),
                      "--workers", "1")
    assert refused.returncode == 2
    assert "holds tokens of codec 'debug'" in refused.stderr and "num_codebooks" in refused.stderr
    assert "--codec 'debug'" in refused.stderr  # how to finish that dataset instead
    assert {path.name: path.read_bytes() for path in out.glob("shard-*")} == before


def test_other_inputs_or_shard_size_are_refused_before_any_work(many_files, tmp_path):
    out = tmp_path / "one-job"
    tokenize_dataset([many_files / "group0"], "debug", out, workers=1, show_progress=False)
    other = run_cli(str(many_files / "group1"), "--codec", "debug", "--out", str(out))
    assert other.returncode == 2 and "other inputs" in other.stderr
    size = run_cli(str(many_files / "group0"), "--codec", "debug", "--out", str(out), "--shard-size", "5")
    assert size.returncode == 2 and "--shard-size 1000" in size.stderr


def test_a_folder_holding_other_files_is_refused(many_files, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    refused = run_cli(str(many_files / "group0"), "--codec", "debug", "--out", str(tmp_path))
    assert refused.returncode == 2 and "holds no codecreg dataset (mine.txt)" in refused.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine.txt"]


def test_a_cut_journal_line_and_a_partial_shard_left_by_a_kill_are_recovered(many_files, clean_rows, tmp_path):
    out = tmp_path / "recovered"
    tokenize_dataset([many_files], "debug", out, workers=1, shard_size=SHARD_SIZE, show_progress=False)
    journal = out / "_journal.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(lines[:-3]) + lines[-3][:20])  # two shards unrecorded, one line cut short
    (out / ".shard-00003.parquet.0123456789ab.partial").write_bytes(b"PAR1 half a shard")
    summary = tokenize_dataset([many_files], "debug", out, workers=1, shard_size=SHARD_SIZE, show_progress=False)
    assert summary.inputs_done == 3 * SHARD_SIZE
    assert not list(out.glob(".*.partial"))
    assert rows_of(out) == clean_rows
    assert len(journal.read_text().splitlines()) == FILES // SHARD_SIZE
