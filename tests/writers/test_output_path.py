"""What stands at the output path: links written through, special files refused, modes kept, long names."""

from __future__ import annotations

import logging
import os
import socket
import stat

import pytest

from codecreg.files.output_path import (OutputPathError, check_output_argument, check_output_folder,
                                        check_output_path, name_max)
from codecreg.audio.writing.whole_file import audio_write
from writers.helpers import files_in, make_signal, read_with_soundfile

RATE = 16000
OLD_BYTES = b"RIFF an older take"


def _signal(seed=0):
    return make_signal(1, 0.1, RATE, seed=seed)


def test_a_symbolic_link_is_written_through_to_its_target_in_the_targets_folder(tmp_path):
    (tmp_path / "takes").mkdir()
    target = tmp_path / "takes" / "take.wav"
    target.write_bytes(OLD_BYTES)
    link = tmp_path / "current.wav"
    link.symlink_to(os.path.join("takes", "take.wav"))  # relative, as ln -s makes them
    assert audio_write(tmp_path / "current", _signal(), RATE) == link
    assert link.is_symlink() and os.readlink(link) == os.path.join("takes", "take.wav")
    assert read_with_soundfile(target)[0].shape == (1, 1600)
    assert files_in(tmp_path) == {"takes", "current.wav"} and files_in(tmp_path / "takes") == {"take.wav"}


def test_a_dangling_symbolic_link_creates_the_file_it_names(tmp_path):
    link = tmp_path / "clip.wav"
    link.symlink_to(tmp_path / "elsewhere" / "real.wav")
    audio_write(tmp_path / "clip", _signal(), RATE)
    assert link.is_symlink() and (tmp_path / "elsewhere" / "real.wav").is_file()


def test_a_symbolic_link_loop_is_refused(tmp_path):
    (tmp_path / "a.wav").symlink_to(tmp_path / "b.wav")
    (tmp_path / "b.wav").symlink_to(tmp_path / "a.wav")
    with pytest.raises(OutputPathError, match="symbolic links form a loop"):
        audio_write(tmp_path / "a", _signal(), RATE)
    assert files_in(tmp_path) == {"a.wav", "b.wav"}


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    """Opening a FIFO for writing would block until a reader came: the check only looks (lstat)."""
    fifo = tmp_path / "clip.wav"
    os.mkfifo(fifo)
    for stem, add_suffix in ((tmp_path / "clip", True), (fifo, False)):
        with pytest.raises(OutputPathError, match=r"clip.wav': it is a FIFO \(named pipe\), not a regular file"):
            audio_write(stem, _signal(), RATE, add_suffix=add_suffix)
    assert files_in(tmp_path) == {"clip.wav"} and fifo.is_fifo()


def test_a_device_is_refused_and_left_alone(tmp_path):
    """A null device of our own (as root, /dev/null itself would be replaced by the rename)."""
    device = tmp_path / "null.wav"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root here")
    with pytest.raises(OutputPathError, match="null.wav': it is a device, not a regular file"):
        audio_write(device, _signal(), RATE, add_suffix=False)
    assert stat.S_ISCHR(device.lstat().st_mode)
    link = tmp_path / "sink.wav"
    link.symlink_to("/dev/null")
    with pytest.raises(OutputPathError, match="'/dev/null' \\(the target of the link .*sink.wav'\\): it is a device"):
        audio_write(tmp_path / "sink", _signal(), RATE)
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s.wav"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(OutputPathError, match="it is a socket"):
            audio_write(tmp_path / "s", _signal(), RATE)
    finally:
        server.close()


def test_the_mode_of_a_replaced_file_is_kept(tmp_path):
    existing = tmp_path / "clip.wav"
    existing.write_bytes(OLD_BYTES)
    existing.chmod(0o640)
    previous = os.umask(0o022)
    try:
        audio_write(tmp_path / "clip", _signal(), RATE)
    finally:
        os.umask(previous)
    assert existing.stat().st_mode & 0o7777 == 0o640
    assert read_with_soundfile(existing)[0].shape == (1, 1600)


def test_a_hard_linked_file_is_replaced_and_a_warning_says_the_other_names_keep_the_old_content(tmp_path, caplog):
    existing = tmp_path / "clip.wav"
    existing.write_bytes(OLD_BYTES)
    other = tmp_path / "backup.wav"
    os.link(existing, other)
    with caplog.at_level(logging.WARNING, logger="codecreg.files.atomic_file"):
        audio_write(tmp_path / "clip", _signal(), RATE)
    assert other.read_bytes() == OLD_BYTES and read_with_soundfile(existing)[0].shape == (1, 1600)
    assert "had 2 hard links; it is replaced by a new file, and its other names keep the old content" in caplog.text


@pytest.mark.parametrize("extra", [0, 1])
def test_the_longest_name_the_file_system_takes_is_written(tmp_path, extra):
    """The temporary name is never longer than the final one: a 251-byte stem plus .wav (255) works."""
    limit = name_max(tmp_path)
    stem = tmp_path / ("é" * 20 + "x" * (limit - 4 - 40 + extra))  # multi-byte characters too
    if extra:
        with pytest.raises(OutputPathError,
                           match=f"is {limit + 1} bytes long; the file system .* allows at most {limit}"):
            audio_write(stem, _signal(), RATE)
        assert files_in(tmp_path) == set()
    else:
        path = audio_write(stem, _signal(), RATE)
        assert len(os.fsencode(path.name)) == limit
        assert files_in(tmp_path) == {path.name}


def test_a_path_under_a_file_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(OutputPathError, match="notes.txt' is a file, not a folder"):
        audio_write(tmp_path / "notes.txt" / "deeper" / "clip", _signal(), RATE)
    assert files_in(tmp_path) == {"notes.txt"}


def test_standard_output_is_refused():
    with pytest.raises(OutputPathError, match=r"cannot write to standard output \('-'\)"):
        check_output_argument("-")
    with pytest.raises(OutputPathError, match="standard output"):
        check_output_path("-")


def test_check_output_path_returns_the_file_to_replace(tmp_path):
    (tmp_path / "real.wav").write_bytes(OLD_BYTES)
    (tmp_path / "link.wav").symlink_to("real.wav")
    assert check_output_path(tmp_path / "link.wav") == tmp_path / "real.wav"
    assert check_output_path(tmp_path / "new" / "clip.wav") == tmp_path / "new" / "clip.wav"
    assert files_in(tmp_path) == {"real.wav", "link.wav"}


def test_check_output_folder(tmp_path, unwritable_folder):
    (tmp_path / "notes.txt").write_text("x")
    assert check_output_folder(tmp_path / "study" / "one") == tmp_path / "study" / "one"
    with pytest.raises(OutputPathError, match="notes.txt' is not a folder"):
        check_output_folder(tmp_path / "notes.txt")
    with pytest.raises(OutputPathError, match="notes.txt' is a file, not a folder"):
        check_output_folder(tmp_path / "notes.txt" / "study")
    with pytest.raises(OutputPathError, match="study' does not exist; create it first"):
        check_output_folder(tmp_path / "study", make_parent_dir=False)
    with pytest.raises(OutputPathError, match="no file can be created in the folder .*locked"):
        check_output_folder(unwritable_folder / "study")
    assert files_in(tmp_path) == {"notes.txt", "locked"}
