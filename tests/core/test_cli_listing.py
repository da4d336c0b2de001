"""`codecreg list`, `info` and `writers` as a user runs them: piped into head, and with options in a name."""

import json
import math
import os
import subprocess
import sys

import pytest

import codecreg
from codecreg.cli.main import main


@pytest.mark.parametrize("command", [["list", "--json"], ["list"], ["writers"], ["info", "debug"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(command):
    """As in `codecreg list --json | head -1`: the pipe is closed before codecreg writes to it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "wb") as stdout:
        result = subprocess.run([sys.executable, "-m", "codecreg.cli.main", *command], stdout=stdout,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.stderr == ""
    assert result.returncode == 141  # what a shell reports for a process that SIGPIPE ended


def info_json(name, capsys):
    assert main(["info", name, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info_shows_the_metadata_at_the_codebooks_a_name_asks_for(capsys):
    data = info_json("debug?num_codebooks=2", capsys)
    assert (data["num_codebooks"], data["total_codebooks"]) == (2, 4)
    assert data["bitrate_kbps"] == round(2 * math.log2(400) * 25 / 1000, 4)
    assert info_json("debug?n_q=1", capsys)["num_codebooks"] == 1
    assert info_json("encodec_24khz?bandwidth=6", capsys)["num_codebooks"] == 8
    assert codecreg.codec_info("encodec_24khz?bw=6").bitrate() == pytest.approx(6.0)


@pytest.mark.parametrize("name, message", [
    ("debug?num_codebooks=9", "num_codebooks must be from 1 to 4, got 9"),
    ("debug?num_codebooks=2,bandwidth=1", "give num_codebooks or bandwidth, not both"),
    ("debug?colour=red", "unknown option 'colour'"),
    ("debug?channels=2", "option channels takes effect only when the codec is built"),
])
def test_info_refuses_options_it_cannot_show(name, message, capsys):
    assert main(["info", name]) == 2
    assert message in capsys.readouterr().err
