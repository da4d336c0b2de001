"""Writing a comparison to a folder: tables, plots, audio and the listening page.

Layout (docs/studies.md): ``summary.csv``, ``per_input.csv``, ``codebooks.csv``,
``results.json``, ``results.md``, ``rate_distortion.png``,
``spectrograms/INPUT.png``, ``audio/INPUT/original.wav``,
``audio/INPUT/SETTING.wav`` and ``index.html``.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..files.inputs import slug
from ..errors import CodecregError
from .results import ComparisonTable

ORIGINAL = "original"
#: what a study writes at the top of its folder: all that ``--overwrite`` removes of a previous study
STUDY_ENTRIES = ("index.html", "summary.csv", "per_input.csv", "codebooks.csv", "results.json", "results.md",
                 "rate_distortion.png", "spectrograms", "audio")
_STAGING_PREFIX = ".codecreg-partial-"


def check_study_folder(out: Path, overwrite: bool = False) -> None:
    """Refuse a study folder that is a file, holds other files, or holds a previous study (unless ``overwrite``)."""
    existing = next(folder for folder in (out, *out.parents) if folder.exists())
    if not existing.is_dir():
        raise CodecregError(f"the study folder {out} cannot be made: {existing} is a file. Name a folder for "
                            "the study (it is created if missing)")
    if existing != out or not any(out.iterdir()):
        return
    if not (out / "results.json").is_file():
        raise CodecregError(f"the study folder {out} already holds files that are not a codecreg study: name a "
                            "new or empty folder (overwriting replaces only a previous study)")
    if not overwrite:
        raise CodecregError(f"{out} holds a previous study: name another folder, or overwrite it "
                            "(--overwrite, overwrite=True): it is replaced once the new study is complete")


@contextmanager
def study_folder(out: Path) -> Iterator[StudyWriter]:
    """A ``StudyWriter`` for ``out`` whose study is moved into place if the block completes, else removed."""
    writer = StudyWriter(out)
    try:
        yield writer
        writer.finish()
    except BaseException:  # an interrupted study too: leave no half of one
        writer.discard()
        raise


class StudyWriter:
    """Owns the study folder: where each file goes, and writing it.

    Files are written to a hidden folder inside ``out`` and moved into place by
    ``finish``, replacing a previous study's files; ``discard`` removes all that
    this run created. So a study that fails leaves the folder as it found it.
    """

    def __init__(self, out: Path) -> None:
        self.target = out
        self._created = [folder for folder in (out, *out.parents) if not folder.exists()]
        out.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out))
        self._slugs: dict[str, str] = {}

    def finish(self) -> None:
        """Move the complete study into place, after removing a previous study's entries."""
        for name in STUDY_ENTRIES:
            _remove(self.target / name)
        for entry in self.staging.iterdir():
            entry.rename(self.target / entry.name)
        self.staging.rmdir()

    def discard(self) -> None:
        """Remove what this run wrote, and the folders it created."""
        shutil.rmtree(self.staging, ignore_errors=True)
        for folder in self._created:  # deepest first
            try:
                folder.rmdir()
            except OSError:  # something else was put there meanwhile: leave it
                break

    # audio, written while the study runs ------------------------------------
    def write_original(self, item: Any) -> Path:
        return self._write(self.audio_path(item.name, None), item.wav, item.sample_rate)

    def write_reconstruction(self, item: Any, codec: str, wav: Any, sample_rate: int) -> Path:
        return self._write(self.audio_path(item.name, codec), wav, sample_rate)

    def audio_path(self, input_name: str, codec: str | None) -> Path:
        return self.staging / "audio" / input_name / f"{self._setting_slug(codec)}.wav"

    def spectrogram_path(self, input_name: str) -> Path:
        return self.staging / "spectrograms" / f"{input_name}.png"

    # everything else, once the table is complete --------------------------
    def write_report(self, table: ComparisonTable) -> None:
        from ..audio.reading.whole_file import audio_read
        from .listening_page import render_page
        from .plots import rate_distortion_plot, spectrogram_plot

        for which in ("summary", "per_input", "codebooks"):
            self._text(f"{which}.csv", table.to_csv(which))
        self._text("results.json", table.to_json())
        self._text("results.md", table.to_markdown())
        rate_distortion_plot(table, self.staging / "rate_distortion.png")
        for item in table.inputs:
            tracks = [(f"{item['name']}: original", *audio_read(self.audio_path(item["name"], None)))]
            tracks += [(row["codec"], *audio_read(self.audio_path(item["name"], row["codec"]))) for row in table.rows]
            path = self.spectrogram_path(item["name"])
            path.parent.mkdir(parents=True, exist_ok=True)
            spectrogram_plot(f"{item['name']}: spectrograms (power, dB)", tracks, path)
        page = render_page(
            table,
            audio_href=lambda name, codec: self._relative(self.audio_path(name, codec)),
            spectrogram_href=lambda name: self._relative(self.spectrogram_path(name)),
            plot_href="rate_distortion.png")
        self._text("index.html", page)

    # internals --------------------------------------------------------------
    def _setting_slug(self, codec: str | None) -> str:
        if codec is None:
            return ORIGINAL
        if codec not in self._slugs:
            base = slug(codec)
            candidate, number = base, 2
            while candidate == ORIGINAL or candidate in self._slugs.values():
                candidate, number = f"{base}-{number}", number + 1
            self._slugs[codec] = candidate
        return self._slugs[codec]

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.staging).as_posix()

    def _text(self, name: str, text: str) -> Path:
        path = self.staging / name
        path.write_text(text, encoding="utf-8")
        return path

    @staticmethod
    def _write(path: Path, wav: Any, sample_rate: int) -> Path:
        from ..audio.writing.whole_file import audio_write

        # Levels are kept as the codec made them (clipped at full scale only), so tracks compare fairly.
        return audio_write(path.with_suffix(""), wav, sample_rate, format="wav", strategy="clip",
                           peak_clip_headroom_db=0, log_clipping=False)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
