"""``codecreg write``: convert and normalize a file from the shell."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import soundfile

from codecreg.audio.reading.whole_file import audio_read
from codecreg.audio.writing.whole_file import audio_write
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


# the output path, checked before the input is read ----------------------------------------------------

@pytest.mark.parametrize("output, message", [
    ("-", r"cannot write to standard output \('-'\)"),
    ("{tmp}/folder", "'{tmp}/folder' is a folder, not a file to write: give a file name in it, "
                     "e.g. '{tmp}/folder/take'"),
    ("{tmp}/folder/", "'{tmp}/folder/' is a folder, not a file to write"),
    ("{tmp}/folder.wav", "folder.wav' is a folder, not a file to write"),
    ("{tmp}/notes.txt/take", "notes.txt' is a file, not a folder"),
])
def test_a_bad_output_path_is_refused_before_the_input_is_read(tmp_path, capsys, output, message):
    """The input does not exist: an error about the output proves nothing was read first."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.wav").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    tmp = str(tmp_path)
    assert main(["write", str(tmp_path / "missing.wav"), "-o", output.format(tmp=tmp)]) == 2
    error = capsys.readouterr().err
    assert "codecreg: error:" in error and "no audio file" not in error
    assert re.search(message.format(tmp=re.escape(tmp)), error), error
    assert files_in(tmp_path) == {"folder", "folder.wav", "notes.txt"} and files_in(tmp_path / "folder") == set()


def test_an_unwritable_output_folder_is_refused_before_the_input_is_read(tmp_path, capsys, unwritable_folder):
    assert main(["write", str(tmp_path / "missing.wav"), "-o", str(unwritable_folder / "take")]) == 2
    assert "no file can be created in the folder" in capsys.readouterr().err
    assert files_in(unwritable_folder) == {"existing.wav"}


@pytest.mark.parametrize("option", ["--sample-rate", "--channels"])
@pytest.mark.parametrize("value", ["0", "-5"])
def test_zero_or_negative_rate_and_channels_are_refused(tmp_path, capsys, option, value):
    source = _input(tmp_path, seconds=0.2)
    with pytest.raises(SystemExit) as exit:
        main(["write", str(source), "-o", str(tmp_path / "x"), option, value])
    assert exit.value.code == 2
    assert f"argument {option}: must be positive, got {value}" in capsys.readouterr().err
    assert files_in(tmp_path) == {"input.wav"}


@pytest.mark.parametrize("keyword, message", [
    (dict(sample_rate=0), "sample_rate must be a positive number of Hz, got 0"),
    (dict(channels=0), "channels must be at least 1, got 0"),
])
def test_audio_read_refuses_zero_rate_and_channels(tmp_path, keyword, message):
    with pytest.raises(ValueError, match=message):
        audio_read(_input(tmp_path, seconds=0.2), **keyword)


# the output suffix and the format -----------------------------------------------------------------

def test_an_unknown_suffix_is_said_to_be_no_format(tmp_path, capsys):
    source = _input(tmp_path, seconds=0.2)
    assert main(["write", str(source), "-o", str(tmp_path / "x.aac")]) == 0
    captured = capsys.readouterr()
    assert (f"codecreg: note: 'aac' is not a format the installed writers write (flac, mp3, ogg, wav), "
            f"so {tmp_path / 'x.aac'}.wav is written as wav") in captured.err
    assert f"wrote {tmp_path / 'x.aac.wav'}" in captured.out
    assert soundfile.info(str(tmp_path / "x.aac.wav")).format == "WAV"


@pytest.mark.parametrize("arguments, written, container", [
    (["-o", "x.MP3"], "x.MP3", "MP3"),
    (["-o", "x", "--format", "FLAC"], "x.flac", "FLAC"),
    (["-o", "x.ogg", "--format", "ogg"], "x.ogg", "OGG"),
    (["-o", "x.Wav", "--format", "WAV"], "x.Wav", "WAV"),
])
def test_formats_and_suffixes_in_any_case(tmp_path, capsys, arguments, written, container):
    source = _input(tmp_path, seconds=0.2)
    arguments[1] = str(tmp_path / arguments[1])
    assert main(["write", str(source), *arguments]) == 0
    assert soundfile.info(str(tmp_path / written)).format == container
    assert files_in(tmp_path) == {"input.wav", written} and capsys.readouterr().err == ""


def test_a_suffix_that_contradicts_the_format_is_refused(tmp_path, capsys):
    source = _input(tmp_path, seconds=0.2)
    assert main(["write", str(source), "-o", str(tmp_path / "x.mp3"), "--format", "flac"]) == 2
    assert "x.mp3' ends in .mp3 but --format is flac" in capsys.readouterr().err
    assert files_in(tmp_path) == {"input.wav"}


def test_audio_write_takes_the_format_in_any_case(tmp_path):
    path = audio_write(tmp_path / "take", make_signal(1, 0.1, 32000), 32000, format="MP3")
    assert path == tmp_path / "take.mp3" and soundfile.info(str(path)).format == "MP3"
