"""Writing a comparison to a folder: tables, plots, audio and the listening page.

Layout (docs/studies.md): ``summary.csv``, ``per_input.csv``, ``codebooks.csv``,
``results.json``, ``results.md``, ``rate_distortion.png``,
``spectrograms/INPUT.png``, ``audio/INPUT/original.wav``,
``audio/INPUT/SETTING.wav`` and ``index.html``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..audio.inputs import slug
from .results import ComparisonTable

ORIGINAL = "original"


class StudyWriter:
    """Owns the study folder: where each file goes, and writing it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._slugs: dict[str, str] = {}
        out.mkdir(parents=True, exist_ok=True)

    # audio, written while the study runs ------------------------------------
    def write_original(self, item: Any) -> Path:
        return self._write(self.audio_path(item.name, None), item.wav, item.sample_rate)

    def write_reconstruction(self, item: Any, codec: str, wav: Any, sample_rate: int) -> Path:
        return self._write(self.audio_path(item.name, codec), wav, sample_rate)

    def audio_path(self, input_name: str, codec: str | None) -> Path:
        return self.out / "audio" / input_name / f"{self._setting_slug(codec)}.wav"

    def spectrogram_path(self, input_name: str) -> Path:
        return self.out / "spectrograms" / f"{input_name}.png"

    # everything else, once the table is complete --------------------------
    def write_report(self, table: ComparisonTable) -> dict[str, Path]:
        from ..audio.reading import audio_read
        from .listening_page import render_page
        from .plots import rate_distortion_plot, spectrogram_plot

        written = {}
        for which in ("summary", "per_input", "codebooks"):
            written[which] = self._text(f"{which}.csv", table.to_csv(which))
        written["json"] = self._text("results.json", table.to_json())
        written["markdown"] = self._text("results.md", table.to_markdown())
        written["plot"] = rate_distortion_plot(table, self.out / "rate_distortion.png")
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
        written["page"] = self._text("index.html", page)
        return written

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
        return path.relative_to(self.out).as_posix()

    def _text(self, name: str, text: str) -> Path:
        path = self.out / name
        path.write_text(text, encoding="utf-8")
        return path

    @staticmethod
    def _write(path: Path, wav: Any, sample_rate: int) -> Path:
        from ..audio.writing import audio_write

        # Levels are kept as the codec made them (clipped at full scale only), so tracks compare fairly.
        return audio_write(path.with_suffix(""), wav, sample_rate, format="wav", strategy="clip",
                           peak_clip_headroom_db=0, log_clipping=False)
