"""Choosing the writer backend for a format: the one named, or the first that can write it here.

Backends are tried in ``list_writers()`` order (``WriterSpec.priority``, then
name). A backend is skipped, with the reason logged, when its spec does not
declare the format, its Python dependencies are missing, it cannot run here
(``AudioWriter.unavailable_reason``, e.g. no ffmpeg binary) or its probe says
it cannot write the format here.
"""

from __future__ import annotations

import logging

from ...registry.loading import get_writer, list_writers
from ...errors import CodecregError, MissingDependencyError
from .writer import AudioWriter

log = logging.getLogger(__name__)


def known_formats() -> list[str]:
    """Every format some registered writer declares."""
    return sorted({format for spec in list_writers() for format in spec.formats})


def check_format(format: str) -> str:
    """``format`` as the writers name it (lower case: ``"MP3"`` is ``"mp3"``); unknown formats are refused."""
    formats = known_formats()
    canonical = format.lower() if isinstance(format, str) else format
    if canonical not in formats:
        raise ValueError(f"unknown audio format {format!r}; the installed writers write: "
                         f"{', '.join(formats) or 'nothing'} (`codecreg writers` lists them)")
    return canonical


def choose_writer(format: str, backend: str | None = None) -> AudioWriter:
    """The writer for ``format``: ``backend`` (a writer name, options allowed) or the first one available."""
    format = check_format(format)
    if backend is not None:
        return _named_writer(format, backend)
    skipped = []
    for spec in list_writers():
        if format not in spec.formats:
            continue
        writer, reason = _try_writer(spec.name, format)
        if writer is not None:
            log.info("writing %s with writer %r (the first available for %s; order: %s)",
                     format, spec.name, format, ", ".join(s.name for s in list_writers()))
            return writer
        log.info("writer %r skipped for %s: %s", spec.name, format, reason)
        skipped.append(f"{spec.name}: {reason}")
    raise MissingDependencyError(f"no installed writer can write {format!r} here. " + "; ".join(skipped))


def probe_writer(name: str) -> str:
    """What writer ``name`` can do here, built and probed: the formats it writes, or why it cannot run."""
    try:
        writer = get_writer(name)
    except CodecregError as error:
        return f"cannot build: {error}"
    except Exception as error:  # a broken third-party writer must not stop the listing
        return f"failed to build: {type(error).__name__}: {error}"
    reason = writer.unavailable_reason()
    if reason is not None:
        return f"cannot run: {reason}"
    formats = [format for format in writer.formats if writer.supports(format)]
    return f"writes {','.join(formats)}" if formats else "writes no format here"


def _named_writer(format: str, backend: str) -> AudioWriter:
    writer = get_writer(backend)
    reason = writer.unavailable_reason()
    if reason is not None:
        raise MissingDependencyError(f"writer {writer.name!r} cannot run here: {reason}")
    if not writer.supports(format):
        able = [spec.name for spec in list_writers()
                if format in spec.formats and _try_writer(spec.name, format)[0] is not None]
        raise ValueError(
            f"writer {writer.name!r} cannot write {format!r} here; it writes {', '.join(writer.formats) or 'nothing'}. "
            f"Writers that can: {', '.join(able) or 'none'} (or leave backend=None to pick one)."
        )
    log.info("writing %s with writer %r, as asked", format, writer.name)
    return writer


def _try_writer(name: str, format: str) -> tuple[AudioWriter | None, str | None]:
    """The writer ``name`` if it can write ``format`` here, else None and the reason."""
    try:
        writer = get_writer(name)
    except CodecregError as error:
        return None, str(error)
    except Exception as error:  # a broken third-party writer must not stop the others
        return None, f"failed to build: {type(error).__name__}: {error}"
    reason = writer.unavailable_reason()
    if reason is None and not writer.supports(format):
        reason = f"cannot write {format} here (it writes {', '.join(writer.formats) or 'nothing'})"
    return (writer, None) if reason is None else (None, reason)
