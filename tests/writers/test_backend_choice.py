"""Choosing a writer: by name, or the first available one by priority; third-party writers register the same way."""

from __future__ import annotations

import json
import logging

import pytest

import codecreg
from codecreg import WriterSpec
from codecreg.audio.writing.whole_file import audio_write
from codecreg.audio.ffmpeg_binary import locate_ffmpeg
from writers.helpers import files_in, make_signal, read_with_soundfile

RATE = 16000
CHOICE_LOGGER = "codecreg.audio.writing.writer_choice"


def test_writers_are_listed_in_priority_order():
    assert [spec.name for spec in codecreg.list_writers()][:2] == ["ffmpeg", "soundfile"]


def test_backend_none_takes_the_first_available_and_logs_it(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger=CHOICE_LOGGER):
        audio_write(tmp_path / "clip", make_signal(1, 0.1, RATE), RATE, format="flac")
    assert "writing flac with writer 'ffmpeg' (the first available for flac; order: ffmpeg, soundfile" in caplog.text


def test_a_third_party_writer_with_a_better_priority_is_chosen_where_it_can_write(
        tmp_path, caplog, registry, python_wave_writer):
    registry.add(WriterSpec(name="pywave-first", factory=python_wave_writer.factory, formats=("wav", "mp3"),
                            priority=1).with_origin("pywave", "codecreg-pywave (test)"))
    with caplog.at_level(logging.INFO, logger=CHOICE_LOGGER):
        wav_path = audio_write(tmp_path / "clip", make_signal(2, 0.1, RATE), RATE, format="wav")
        audio_write(tmp_path / "clip", make_signal(2, 0.1, RATE), RATE, format="mp3")
    assert "writing wav with writer 'pywave-first'" in caplog.text
    # it declares mp3, but its writer says it cannot write it here: skipped, with the reason
    assert "writer 'pywave-first' skipped for mp3: cannot write mp3 here (it writes wav)" in caplog.text
    assert "writing mp3 with writer 'ffmpeg'" in caplog.text
    decoded, rate = read_with_soundfile(wav_path)
    assert decoded.shape == (2, 1600) and rate == RATE


def test_named_backend_with_options_through_get_writer(tmp_path):
    binary = locate_ffmpeg()
    writer = codecreg.get_writer(f"ffmpeg?binary={binary}")
    assert writer.name == "ffmpeg" and writer.binary == binary
    path = audio_write(tmp_path / "clip", make_signal(1, 0.1, RATE), RATE, backend=f"ffmpeg?binary={binary}")
    assert read_with_soundfile(path)[0].shape == (1, 1600)


def test_a_broken_third_party_writer_does_not_stop_the_others(tmp_path, registry, caplog):
    registry.add(WriterSpec(name="broken", factory="writers.helpers:no_such_factory", formats=("wav",),
                            priority=0).with_origin("broken", "codecreg-broken (test)"))
    with caplog.at_level(logging.INFO, logger=CHOICE_LOGGER):
        audio_write(tmp_path / "clip", make_signal(1, 0.1, RATE), RATE)
    assert "writer 'broken' skipped for wav: failed to build: AttributeError" in caplog.text
    assert files_in(tmp_path) == {"clip.wav"}


def test_no_writer_for_a_format_says_why_for_each(tmp_path, registry, python_wave_writer):
    registry.add(WriterSpec(name="aiff-only", factory=python_wave_writer.factory, formats=("aiff",),
                            priority=5).with_origin("pywave", "codecreg-pywave (test)"))
    with pytest.raises(codecreg.MissingDependencyError,
                       match=r"no installed writer can write 'aiff' here\. aiff-only: cannot write aiff here"):
        audio_write(tmp_path / "clip", make_signal(1, 0.1, RATE), RATE, format="aiff")
    assert not files_in(tmp_path)


def test_writers_probe_shows_what_each_writer_can_do_here(monkeypatch, capsys):
    from codecreg.cli.main import main

    assert main(["writers", "--probe", "--json"]) == 0
    probed = {row["name"]: row["probe"] for row in json.loads(capsys.readouterr().out)}
    assert probed["ffmpeg"] == "writes wav,mp3,ogg,flac"
    assert probed["soundfile"].startswith("writes wav,flac")
    monkeypatch.setenv("CODECREG_FFMPEG", "/no/such/ffmpeg")
    assert main(["writers", "--probe"]) == 0
    ffmpeg_row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("ffmpeg"))
    assert "cannot run: the ffmpeg binary '/no/such/ffmpeg' given by CODECREG_FFMPEG does not exist" in ffmpeg_row
