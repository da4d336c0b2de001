"""Bad input: a clear error, no file left behind, and an existing file at the path left untouched."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import codecreg
from codecreg.files.output_path import OutputPathError
from codecreg.audio.writing.whole_file import audio_write
from codecreg.errors import MissingDependencyError
from codecreg_ffmpeg.writer import FFmpegError
from codecreg_soundfile.writer import SoundfileWriteError
from writers.helpers import files_in, make_signal

RATE = 32000
OLD_BYTES = b"RIFF an older take that must survive"


@pytest.fixture
def existing(tmp_path):
    """``clip.wav`` already in the folder: every failed write below targets it."""
    path = tmp_path / "clip.wav"
    path.write_bytes(OLD_BYTES)
    return path


def assert_nothing_changed(existing):
    assert files_in(existing.parent) == {existing.name}
    assert existing.read_bytes() == OLD_BYTES


def _with(**changes):
    audio = make_signal(2, 0.1, RATE)
    for key, value in changes.items():
        if key == "sample":
            audio[1, 10] = value
    return audio


BAD_INPUTS = [
    pytest.param(dict(wav=_with(sample=np.nan)), ValueError, "1 NaN or infinite", id="nan"),
    pytest.param(dict(wav=_with(sample=np.inf)), ValueError, "NaN or infinite", id="inf"),
    pytest.param(dict(wav=_with(sample=-np.inf)), ValueError, "NaN or infinite", id="minus-inf"),
    pytest.param(dict(wav=np.zeros((2, 0), np.float32)), ValueError, "empty", id="empty"),
    pytest.param(dict(wav=np.array([], np.float32)), ValueError, "empty", id="empty-1d"),
    pytest.param(dict(wav=np.zeros((1, 2, 100), np.float32)), ValueError, r"\[T\] or \[C, T\], got 3 dim", id="3d"),
    pytest.param(dict(wav=np.zeros((2, 100), np.int16)), TypeError, "floating point.*int16", id="int16"),
    pytest.param(dict(wav=np.zeros((100, 2), np.float32)), ValueError, r"transpose", id="time-major"),
    pytest.param(dict(sample_rate=0), ValueError, "sample_rate must be positive", id="rate-0"),
    pytest.param(dict(sample_rate=-16000), ValueError, "sample_rate must be positive", id="rate-negative"),
    pytest.param(dict(sample_rate=44100.5), TypeError, "whole number", id="rate-fraction"),
    pytest.param(dict(format="mp4"), ValueError, "unknown audio format 'mp4'.*flac, mp3, ogg, wav", id="format"),
    pytest.param(dict(format="flac", sample_format="f32"), ValueError, "flac cannot store 'f32'", id="flac-f32"),
    pytest.param(dict(format="mp3", sample_format="s24"), ValueError, "sample_format applies to", id="mp3-s24"),
    pytest.param(dict(format="mp3", sample_rate=96000), ValueError, "mp3 cannot store 96000 Hz", id="mp3-96k"),
    pytest.param(dict(format="mp3", wav=make_signal(3, 0.1, RATE)), ValueError, "at most 2 channels", id="mp3-3ch"),
    pytest.param(dict(mp3_rate=0), ValueError, "mp3_rate.*positive", id="mp3-rate"),
    pytest.param(dict(strategy="loud"), ValueError, "unknown normalization strategy", id="strategy"),
    pytest.param(dict(backend="sndfile"), codecreg.UnknownNameError, "Did you mean 'soundfile'", id="backend-typo"),
    pytest.param(dict(backend="pywave", format="flac"), ValueError,
                 "writer 'pywave' cannot write 'flac' here; it writes wav. Writers that can: ffmpeg, soundfile",
                 id="format-backend-cannot-write"),
    pytest.param(dict(backend="soundfile", format="ogg", ogg_rate=96), ValueError, "cannot honour ogg_rate",
                 id="soundfile-ogg-rate"),
    pytest.param(dict(backend="ffmpeg", format="flac", wav=make_signal(9, 2.0, RATE)), FFmpegError,  # > pipe buffer
                 r"9 channels not supported \(max 8\)", id="ffmpeg-refuses"),
    pytest.param(dict(backend="soundfile", format="flac", wav=make_signal(9, 0.1, RATE)), SoundfileWriteError,
                 "libsndfile .* could not write flac", id="libsndfile-refuses"),
    pytest.param(dict(backend="pywave?fail_after_bytes=100"), OSError, "disk full", id="writer-crashes-midway"),
]


@pytest.mark.parametrize("changes,error,message", BAD_INPUTS)
def test_bad_input_fails_clearly_and_leaves_no_trace(existing, python_wave_writer, changes, error, message):
    arguments = dict(wav=make_signal(2, 0.1, RATE), sample_rate=RATE, format="wav") | changes
    with pytest.raises(error, match=message):
        audio_write(existing.with_suffix(""), arguments.pop("wav"), arguments.pop("sample_rate"), **arguments)
    assert_nothing_changed(existing)


def test_torch_tensors_are_checked_the_same_way(existing):
    torch = pytest.importorskip("torch")
    for bad, error in ((torch.zeros(1, 2, 10), ValueError), (torch.zeros(2, 10, dtype=torch.int32), TypeError),
                       (torch.full((2, 10), float("nan")), ValueError)):
        with pytest.raises(error):
            audio_write(existing.with_suffix(""), bad, RATE)
    assert_nothing_changed(existing)


def test_unwritable_folder(unwritable_folder):
    with pytest.raises(OutputPathError, match="no file can be created in the folder .*locked"):
        audio_write(unwritable_folder / "existing", make_signal(1, 0.1, RATE), RATE)
    assert files_in(unwritable_folder) == {"existing.wav"}
    assert (unwritable_folder / "existing.wav").read_bytes() == b"RIFF old content"


def test_target_that_is_a_folder_is_refused_without_trace(tmp_path):
    (tmp_path / "clip.wav").mkdir()
    with pytest.raises(OutputPathError, match="clip.wav': it is a folder; give a file path"):
        audio_write(tmp_path / "clip", make_signal(1, 0.1, RATE), RATE)
    assert files_in(tmp_path) == {"clip.wav"}


# no ffmpeg available ------------------------------------------------------------------------------------

def test_codecreg_ffmpeg_pointing_at_a_missing_binary(existing, monkeypatch):
    monkeypatch.setenv("CODECREG_FFMPEG", str(existing.parent / "no-such-ffmpeg"))
    with pytest.raises(MissingDependencyError, match="no-such-ffmpeg' given by CODECREG_FFMPEG does not exist"):
        audio_write(existing.with_suffix(""), make_signal(2, 0.1, RATE), RATE, backend="ffmpeg")
    assert_nothing_changed(existing)


def test_binary_option_pointing_at_a_missing_binary(existing):
    with pytest.raises(MissingDependencyError, match="given by the writer's binary option does not exist"):
        audio_write(existing.with_suffix(""), make_signal(2, 0.1, RATE), RATE, backend="ffmpeg?binary=/no/ffmpeg")
    assert_nothing_changed(existing)


NO_FFMPEG_SCRIPT = textwrap.dedent("""
    import logging, sys
    sys.modules["imageio_ffmpeg"] = None  # hide the wheel's binary: importing it now fails
    import numpy as np
    from codecreg.audio.writing.whole_file import audio_write
    from codecreg.errors import MissingDependencyError
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    folder = sys.argv[1]
    try:
        audio_write(folder + "/clip", np.zeros((1, 100), np.float32), 32000, backend="ffmpeg")
    except MissingDependencyError as error:
        print("ERROR:", error)
    path = audio_write(folder + "/fallback", np.full((1, 100), 0.1, np.float32), 32000, format="mp3")
    print("WROTE:", path)
""")


def test_no_ffmpeg_anywhere_is_a_clear_error_and_backend_none_falls_back(existing):
    empty_bin = existing.parent / "empty-bin"
    empty_bin.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "CODECREG_FFMPEG"}
    env["PATH"] = str(empty_bin)
    result = subprocess.run([sys.executable, "-c", NO_FFMPEG_SCRIPT, str(existing.parent)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ("ERROR: writer 'ffmpeg' cannot run here: no ffmpeg found: CODECREG_FFMPEG is not set, "
            "there is no ffmpeg on the PATH, and imageio-ffmpeg is not installed") in result.stdout
    assert "writer 'ffmpeg' skipped for mp3: no ffmpeg found" in result.stderr
    assert "writing mp3 with writer 'soundfile'" in result.stderr
    assert f"WROTE: {existing.parent}/fallback.mp3" in result.stdout
    assert existing.read_bytes() == OLD_BYTES
    assert files_in(existing.parent) == {"clip.wav", "empty-bin", "fallback.mp3"}
