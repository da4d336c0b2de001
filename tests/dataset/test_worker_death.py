"""A worker that dies (here SIGKILL, as the out-of-memory killer sends) loses only its current input:
it is retried once, in a fresh worker (a restarted actor on Ray), then recorded; every other input is
tokenized. A restarted worker loads slowly, as a real codec does: on Ray, the inputs handed to an actor
while it restarts used to fail without running and be counted as its deaths."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import textwrap

import numpy as np
import pytest
import soundfile

from .conftest import reference_codes, rows_of, run_cli, write_audio

PLUGIN = '''
import os
import signal
import time

from codecreg import CodecSpec, hookimpl


@hookimpl
def register_codecs(register):
    register(CodecSpec(name="dies_on_silence", factory="dies_on_silence:build", sample_rate=32000, channels=1,
                       frame_rate=25.0, cardinality=400, num_codebooks=4, total_codebooks=4,
                       requires=("torch",)))


DEATHS = os.environ["DIES_ON_SILENCE_DEATHS"]  # a file, one byte per death


def build(device="cpu"):
    from codecreg.codec.debug_codec import DebugCompressionModel

    if os.path.exists(DEATHS):  # a worker started again after a death loads slowly, as a real codec does
        time.sleep(3)

    class DiesOnSilence(DebugCompressionModel):
        def encode(self, x):
            if not x.abs().max() > 0:
                with open(DEATHS, "a") as deaths:
                    deaths.write("x")
                os.kill(os.getpid(), signal.SIGKILL)
            return super().encode(x)

    return DiesOnSilence().to(device)
'''


@pytest.mark.parametrize("engine", ["local", pytest.param("ray", marks=pytest.mark.ray)])
def test_a_dying_worker_loses_only_its_input(engine, tmp_path, debug_codec):
    if engine == "ray":
        pytest.importorskip("ray")
    site = tmp_path / "site"
    info = site / "dies_on_silence-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dies-on-silence\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[codecreg]\ndies_on_silence = dies_on_silence\n")
    (site / "dies_on_silence.py").write_text(textwrap.dedent(PLUGIN))
    audio = tmp_path / "audio"
    for index in range(5):
        write_audio(audio / f"clip{index}.wav", 32000, 1, 0.8, index)
    soundfile.write(audio / "clip2-silent.wav", np.zeros(16000, np.float32), 32000)

    ray_files = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # short socket paths
    try:
        result = run_cli(str(audio), "--codec", "dies_on_silence", "--out", str(tmp_path / "out"), "--workers", "2",
                         "--shard-size", "2", "--engine", engine,
                         env={"PYTHONPATH": str(site) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                              "RAY_TMPDIR": ray_files, "DIES_ON_SILENCE_DEATHS": str(tmp_path / "deaths")})
    finally:
        shutil.rmtree(ray_files, ignore_errors=True)
    assert result.returncode == 1, result.stderr
    with open(tmp_path / "out" / "_errors.csv", newline="") as handle:
        failures = list(csv.DictReader(handle))
    assert [row["source"] for row in failures] == [str(audio / "clip2-silent.wav")]
    assert "died 2 times (killed by signal 9)" in failures[0]["reason"] if engine == "local" else \
        "died 2 times (Ray: " in failures[0]["reason"]
    rows = rows_of(tmp_path / "out")
    assert [row["id"] for row in rows] == [f"clip{index}.wav" for index in range(5)]
    for row in rows:
        assert np.array_equal(np.array(row["codes"]), reference_codes(debug_codec, audio / row["id"]))
