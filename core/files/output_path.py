"""Checking where a file will be written, before any work is done for it.

Writing is atomic (``atomic_file``): a temporary file in the target's folder is
renamed over the target. That is only right for a regular file or a new name,
so anything else standing at the path is refused here, with a message saying
what is there; a symbolic link is followed, and its target is the file
replaced. The same checks serve ``audio_write`` and every command that writes.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from ..errors import CodecregError

#: What ``-`` means on a command line (standard output), which a file written atomically cannot be.
STANDARD_STREAM = "-"


class OutputPathError(CodecregError, OSError):
    """An output path that cannot be written: a folder, a device, a missing or unwritable folder, ..."""


def check_output_argument(argument: str | os.PathLike) -> Path:
    """The path an ``-o``/``--output`` option names; ``-`` (standard output) is refused."""
    if str(argument) == STANDARD_STREAM:
        raise OutputPathError("cannot write to standard output ('-'): codecreg writes files atomically; "
                              "give a file path, e.g. -o out/take")
    return Path(argument)


def check_output_stem(argument: str | os.PathLike) -> Path:
    """A stem to which a suffix is added (``-o out/take`` for ``out/take.wav``): not ``-``, not a folder."""
    stem = check_output_argument(argument)
    if stem.is_dir() or str(argument).endswith(os.sep):
        raise OutputPathError(f"{str(argument)!r} is a folder, not a file to write: give a file name in it, "
                              f"e.g. {str(stem / 'take')!r}")
    return stem


def check_output_path(path: str | os.PathLike, make_parent_dir: bool = True) -> Path:
    """Check that a file can be written at ``path``; return the file that will be replaced.

    That is ``path`` itself, or the target of the symbolic link at ``path``.
    Refused, with nothing touched: ``-``, an existing folder, FIFO, device or
    socket, a name longer than the file system allows, a folder that is
    missing (with ``make_parent_dir=False``), not a folder, or not writable.
    """
    path = check_output_argument(path)
    _check_name_length(path.name, _nearest_existing(path.parent))
    file = file_to_replace(path)
    folder = file.parent
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise OutputPathError(f"cannot write {str(path)!r}: {str(existing)!r} is a file, "
                              "not a folder; choose another output path")
    if existing != folder and not make_parent_dir:
        raise OutputPathError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not "
                              "exist; create it first, or pass make_parent_dir=True")
    _check_name_length(file.name, existing)
    _check_writable(existing, path)
    return file


def check_output_folder(folder: str | os.PathLike, make_parent_dir: bool = True) -> Path:
    """Check that files can be written in ``folder`` (made when missing, if ``make_parent_dir``)."""
    folder = check_output_argument(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{str(folder)!r} is not a folder; choose a folder for the output")
    existing = _nearest_existing(folder)
    if existing != folder:
        if not existing.is_dir():
            raise OutputPathError(f"cannot make the folder {str(folder)!r}: {str(existing)!r} "
                                  "is a file, not a folder; choose another output folder")
        if not make_parent_dir:
            raise OutputPathError(f"the folder {str(folder)!r} does not exist; create it first")
    _check_writable(existing, folder)
    return folder


def file_to_replace(path: Path) -> Path:
    """``path``, or the file a symbolic link there points to; refuse anything but a regular file or nothing.

    Only ``lstat`` is used, so a FIFO is never opened (which would block).
    """
    path = Path(path)
    file = Path(os.path.realpath(path)) if os.path.islink(path) else path
    try:
        mode = os.lstat(file).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return file  # a new file (through a dangling link: the file it names)
    except OSError as error:
        raise OutputPathError(f"cannot write {str(path)!r}: {error.strerror}") from None
    if stat.S_ISREG(mode):
        return file
    through = f" (the target of the link {str(path)!r})" if file != path else ""
    if stat.S_ISLNK(mode):
        raise OutputPathError(f"cannot write {str(path)!r}: its symbolic links form a loop; "
                              "remove the link or choose another output path")
    if stat.S_ISDIR(mode):
        raise OutputPathError(f"cannot write {str(file)!r}{through}: it is a folder; give a file "
                              "path (the folder plus a file name)")
    raise OutputPathError(f"cannot write {str(file)!r}{through}: it is a {_kind(mode)}, not a regular file, "
                          "and codecreg replaces only regular files; choose another output path")


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, that the file system of ``folder`` accepts."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255  # every common Linux and macOS file system


def _nearest_existing(folder: Path) -> Path:
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    return folder


def _check_name_length(name: str, folder: Path) -> None:
    length, limit = len(os.fsencode(name)), name_max(folder)
    if length > limit:
        raise OutputPathError(f"the file name {name[:40]!r}... is {length} bytes long; the file system "
                              f"of {str(folder)!r} allows at most {limit}: choose a shorter name")


def _check_writable(folder: Path, path: Path) -> None:
    """Refuse a folder where no file can be created: by permissions, or by trying (root, immutable, read-only)."""
    reason = None
    if not os.access(folder, os.W_OK | os.X_OK):
        reason = "Permission denied"
    else:
        probe = folder / f".codecreg-probe-{secrets.token_hex(6)}"
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.unlink(probe)
        except FileExistsError:
            pass  # someone else's probe: creating files works
        except OSError as error:
            reason = error.strerror
    if reason is not None:
        raise OutputPathError(f"cannot write {str(path)!r}: no file can be created in the folder "
                              f"{str(folder)!r} ({reason}); check its permissions, or choose another output path")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"
