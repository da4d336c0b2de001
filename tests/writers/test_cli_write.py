"""``codecreg write``: convert and normalize a file from the shell."""

from __future__ import annotations

import subprocess
import sys

import pytest
import soundfile

from codecreg.cli.main import main
from writers.helpers import ebur128_loudness, files_in, make_signal, read_with_soundfile


def _input(tmp_path, seconds=3.0, rate=32000):
    path = tmp_path / "input.wav"
    soundfile.write(path, make_signal(2, seconds, rate, peak=0.05).T, rate, subtype="FLOAT")
    return path


def test_write_mp3_with_loudness_normalization(tmp_path, capsys):
    source = _input(tmp_path)
    code = main(["write", str(source), "-o", str(tmp_path / "out" / "song"), "--format", "mp3",
                 "--strategy", "loudness", "--mp3-rate", "192"])
    assert code == 0
    written = tmp_path / "out" / "song.mp3"
    assert f"wrote {written} (2 ch, 32000 Hz, 3.000 s" in capsys.readouterr().out
    decoded, rate = read_with_soundfile(written)
    assert rate == 32000
    assert ebur128_loudness(decoded, rate) == pytest.approx(-14.0, abs=0.5)


def test_output_suffix_sets_the_format_and_conversion_options_apply(tmp_path):
    source = _input(tmp_path, seconds=0.5)
    assert main(["write", str(source), "-o", str(tmp_path / "small.flac"), "--sample-rate", "16000",
                 "--channels", "1", "--sample-format", "s24", "--backend", "soundfile"]) == 0
    info = soundfile.info(str(tmp_path / "small.flac"))
    assert (info.samplerate, info.channels, info.frames, info.subtype) == (16000, 1, 8000, "PCM_24")


def test_errors_exit_with_status_2_and_leave_nothing(tmp_path, capsys):
    source = _input(tmp_path, seconds=0.2)
    assert main(["write", str(source), "-o", str(tmp_path / "x"), "--format", "mp4"]) == 2
    assert "codecreg: error: unknown audio format 'mp4'" in capsys.readouterr().err
    assert main(["write", str(tmp_path / "missing.wav"), "-o", str(tmp_path / "x")]) == 2
    assert "no audio file" in capsys.readouterr().err
    assert files_in(tmp_path) == {"input.wav"}


def test_verbose_shows_the_backend_choice(tmp_path):
    source = _input(tmp_path, seconds=0.2)
    result = subprocess.run([sys.executable, "-m", "codecreg.cli.main", "-v", "write", str(source),
                             "-o", str(tmp_path / "x"), "--format", "ogg"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "writing ogg with writer 'ffmpeg' (the first available for ogg" in result.stderr
    assert (tmp_path / "x.ogg").is_file()
