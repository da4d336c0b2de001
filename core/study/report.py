"""Writing a comparison to a folder: tables, plots, audio and the listening page.

Layout (docs/studies.md): ``summary.csv``, ``per_input.csv``, ``per_input.parquet``,
``codebooks.csv``, ``matched_bitrates.csv``, ``results.json``, ``results.md``,
``rate_distortion.png``, ``rate_quality/METRIC.png``, ``spectrograms/INPUT.png``,
``audio/INPUT/original.wav``, ``audio/INPUT/SETTING.wav`` (the inputs sampled for
listening) and ``index.html``; the journaled work is in ``_study/``. The report
is written to ``_study/report.partial/`` and moved into place, ``results.json``
last, so a folder with ``results.json`` holds a whole report.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from ..files.inputs import slug
from ..errors import CodecregError
from .results import ComparisonTable

#: where a study keeps its journaled work, inside its folder
WORK_FOLDER = "_study"

ORIGINAL = "original"
#: what a study writes at the top of its folder: all that ``--overwrite`` replaces of a previous study
STUDY_ENTRIES = ("index.html", "summary.csv", "per_input.csv", "per_input.parquet", "codebooks.csv",
                 "matched_bitrates.csv", "results.json", "results.md", "rate_distortion.png", "rate_quality",
                 "spectrograms", "audio")
_STAGING = "report.partial"


def check_study_folder(out: Path, overwrite: bool, same_study: Callable[[Path], bool]) -> str:
    """What to do with ``out``: ``"fresh"`` (new or empty), ``"resume"`` (this study, unfinished),
    ``"finished"`` (this study, done: no work), ``"restart"`` (another study, replaced with ``overwrite``).

    Refused: a file, a folder of other files, and another study without ``overwrite``.
    """
    existing = next(folder for folder in (out, *out.parents) if folder.exists())
    if not existing.is_dir():
        raise CodecregError(f"the study folder {out} cannot be made: {existing} is a file. Name a folder for "
                            "the study (it is created if missing)")
    if existing != out or not any(out.iterdir()):
        return "fresh"
    work, finished = out / WORK_FOLDER, (out / "results.json").is_file()
    if not work.is_dir() and not finished:
        raise CodecregError(f"the study folder {out} already holds files that are not a codecreg study: name a "
                            "new or empty folder (overwriting replaces only a previous study)")
    if work.is_dir() and same_study(work):
        return "finished" if finished and _report_is_current(out, work) else "resume"
    if not (work / "study.json").is_file() and not finished:
        return "fresh"  # a run killed before its codecs were loaded: nothing of it to keep
    if not overwrite:
        what = "a previous study" if finished else "an unfinished study of other codecs, inputs or options"
        raise CodecregError(f"{out} holds {what}: name another folder, or overwrite it (--overwrite, "
                            "overwrite=True): it is replaced once the new study is complete")
    return "restart"


def finished_study(out: Path) -> ComparisonTable:
    return ComparisonTable.load(out)


def write_report(table: ComparisonTable, out: Path, audio: Path) -> None:
    """Write the study's report and move it into ``out`` (replacing a previous study's entries), the
    results last: a study folder with ``results.json`` holds a complete report."""
    staging = out / WORK_FOLDER / _STAGING
    _remove(staging)
    staging.mkdir()
    writer = StudyWriter(staging)
    if audio.is_dir():
        shutil.copytree(audio, staging / "audio")
    writer.write_all(table)
    for name in STUDY_ENTRIES:
        _remove(out / name)
    for entry in sorted(staging.iterdir(), key=lambda path: path.name == "results.json"):
        entry.rename(out / entry.name)
    staging.rmdir()
    (out / WORK_FOLDER / "finished").write_text("the report above was written from this folder's results\n")


def _report_is_current(out: Path, work: Path) -> bool:
    """The report in ``out`` was written from this work folder (and not a previous study's kept report)."""
    return (work / "finished").is_file()


class StudyWriter:
    """Where each file of a report goes in ``folder``, and writing them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def audio_path(self, input_name: str, setting_slug: str | None) -> Path:
        return self.folder / "audio" / input_name / f"{setting_slug or ORIGINAL}.wav"

    def spectrogram_path(self, input_name: str) -> Path:
        return self.folder / "spectrograms" / f"{input_name}.png"

    def write_all(self, table: ComparisonTable) -> None:
        from ..audio.reading.whole_file import audio_read
        from .listening_page import render_page
        from .plots import rate_distortion_plot, rate_quality_plot, spectrogram_plot

        for which in ("summary", "per_input", "codebooks"):
            self._text(f"{which}.csv", table.to_csv(which))
        self._text("matched_bitrates.csv", table.to_csv("matched"))
        self._per_input_parquet(table)
        self._text("results.md", table.report_markdown())
        rate_distortion_plot(table, self.folder / "rate_distortion.png")
        curves = {}
        for metric in table.metrics:
            for column in metric.columns:
                path = self.folder / "rate_quality" / f"{slug(column)}.png"
                path.parent.mkdir(exist_ok=True)
                curves[column] = rate_quality_plot(table, metric, column, path).relative_to(self.folder).as_posix()
        slugs = table.setting_slugs()
        listened = [item for item in table.inputs if item.get("listened", True)]
        for item in listened:
            tracks = [(f"{item['name']}: original", *audio_read(self.audio_path(item["name"], None)))]
            tracks += [(row["codec"], *audio_read(self.audio_path(item["name"], slugs[row["codec"]])))
                       for row in table.rows if self.audio_path(item["name"], slugs[row["codec"]]).is_file()]
            path = self.spectrogram_path(item["name"])
            path.parent.mkdir(parents=True, exist_ok=True)
            spectrogram_plot(f"{item['name']}: spectrograms (power, dB)", tracks, path)
        page = render_page(
            table, listened,
            audio_href=lambda name, codec: self._relative(self.audio_path(name, None if codec is None
                                                                          else slugs[codec])),
            spectrogram_href=lambda name: self._relative(self.spectrogram_path(name)),
            plot_href="rate_distortion.png", curve_hrefs=curves)
        self._text("index.html", page)
        self._text("results.json", table.to_json())

    def _per_input_parquet(self, table: ComparisonTable) -> None:
        import pyarrow.parquet as pq

        from .results import write_rows

        write_rows(self.folder / "per_input.parquet", table.per_input, table.metrics)
        pq.read_metadata(self.folder / "per_input.parquet")  # written whole

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.folder).as_posix()

    def _text(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
