"""Atomic writes: a temporary file beside the target, renamed into place only when complete."""

from __future__ import annotations

import os

import pytest

from codecreg.files.atomic_file import atomic_write_path
from codecreg.audio.writing.whole_file import audio_write
from codecreg_ffmpeg.writer import FFmpegError
from codecreg_soundfile.writer import SoundfileWriteError
from writers.helpers import files_in, make_signal, read_with_soundfile


def test_the_temporary_file_is_hidden_beside_the_target_and_renamed_on_success(tmp_path):
    target = tmp_path / "take.wav"
    with atomic_write_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary.name.startswith(".take.wav.")
        assert temporary.exists() and not target.exists()
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert files_in(tmp_path) == {"take.wav"}


@pytest.mark.parametrize("failure", [RuntimeError("encoder crashed"), KeyboardInterrupt()])
def test_a_failure_removes_the_temporary_file_and_keeps_the_old_one(tmp_path, failure):
    target = tmp_path / "take.wav"
    target.write_bytes(b"old")
    with pytest.raises(type(failure)):
        with atomic_write_path(target) as temporary:
            temporary.write_bytes(b"half of the n")
            raise failure
    assert target.read_bytes() == b"old"
    assert files_in(tmp_path) == {"take.wav"}


def test_new_files_get_the_umask_permissions_not_private_ones(tmp_path):
    previous = os.umask(0o022)
    try:
        path = audio_write(tmp_path / "clip", make_signal(1, 0.1, 16000), 16000)
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("backend", ["ffmpeg", "soundfile"])
def test_overwriting_replaces_the_file_in_one_step(tmp_path, backend):
    """A reader holding the old file keeps reading the old content: the new one arrived by rename."""
    first = audio_write(tmp_path / "clip", make_signal(1, 0.2, 16000, seed=1), 16000, backend=backend)
    with open(first, "rb") as reader:
        old_bytes = first.read_bytes()
        second = audio_write(tmp_path / "clip", make_signal(1, 0.3, 16000, seed=2), 16000, backend=backend)
        assert reader.read() == old_bytes
    assert second == first
    assert read_with_soundfile(second)[0].shape == (1, 4800)
    assert files_in(tmp_path) == {"clip.wav"}


@pytest.mark.parametrize("backend, error, message", [
    ("ffmpeg", FFmpegError, r"9 channels not supported \(max 8\)"),
    ("soundfile", SoundfileWriteError, "could not write flac"),
])
def test_a_failed_write_removes_the_folders_it_made(tmp_path, backend, error, message):
    """make_parent_dir creates missing folders; when the writer then fails, they go too."""
    (tmp_path / "kept").mkdir()
    nine_channels = make_signal(9, 0.1, 16000)  # flac holds at most 8: both writers fail while writing
    with pytest.raises(error, match=message):
        audio_write(tmp_path / "kept" / "new" / "deeper" / "clip", nine_channels, 16000, format="flac",
                    backend=backend)
    assert files_in(tmp_path) == {"kept"} and files_in(tmp_path / "kept") == set()


def test_a_successful_write_keeps_the_folders_it_made(tmp_path):
    path = audio_write(tmp_path / "new" / "deeper" / "clip", make_signal(1, 0.1, 16000), 16000)
    assert path == tmp_path / "new" / "deeper" / "clip.wav" and path.exists()
