"""The comparison's pictures: rate-distortion and rate-quality plots and per-input spectrograms (matplotlib, Agg).

Figures are built with ``matplotlib.figure.Figure`` and never through pyplot,
so plotting works headless and leaves no global state behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .results import ComparisonTable

DYNAMIC_RANGE_DB = 90.0
#: a spectrogram is averaged down to at most this many (frequency, time) cells: what the picture can show
MAX_PIXELS = (160, 900)


def rate_distortion_plot(table: ComparisonTable, path: Path) -> Path:
    """One panel per metric: the metric against the bitrate, one line per codec family."""
    from matplotlib.figure import Figure

    panels = len(table.metrics)
    figure = Figure(figsize=(4.6 * panels, 4.0), layout="constrained")
    families = list(dict.fromkeys(row["family"] for row in table.rows))
    rates = [row["bitrate_kbps"] for row in table.rows]
    for index, metric in enumerate(table.metrics):
        axes = figure.add_subplot(1, panels, index + 1)
        for family in families:
            rows = sorted((r for r in table.rows if r["family"] == family), key=lambda r: r["bitrate_kbps"])
            x = [r["bitrate_kbps"] for r in rows]
            y = [r[metric.name] for r in rows]
            (line,) = axes.plot(x, y, marker="o", label=family)
            for row, xi, yi in zip(rows, x, y):
                axes.annotate(f"K={row['num_codebooks']}", (xi, yi), textcoords="offset points", xytext=(4, 4),
                              fontsize=8, color=line.get_color())
        if rates and min(rates) > 0 and max(rates) / min(rates) > 20:
            axes.set_xscale("log")
        axes.margins(x=0.12, y=0.12)  # room for the labels at the ends
        axes.set_xlabel("bitrate (kbps)")
        axes.set_ylabel(metric.label)
        axes.grid(True, alpha=0.3)
    if panels:
        figure.axes[0].legend(fontsize=8)
    figure.suptitle(f"Rate-distortion, mean over {len(table.inputs)} input(s) weighted by duration")
    figure.savefig(path, dpi=110)
    return path


def rate_quality_plot(table: ComparisonTable, metric: Any, column: str, path: Path) -> Path:
    """One metric column against bitrate (kbps): one panel per category (all inputs first), one line per
    codec family across its numbers of codebooks, dotted lines at the matched bitrates."""
    from matplotlib.figure import Figure

    from .results import ALL_CATEGORIES
    from .summaries import MATCHED_BITRATES

    groups = [(ALL_CATEGORIES, table.rows)] + [(c, [r for r in table.category_rows if r["category"] == c])
                                               for c in table.categories]
    figure = Figure(figsize=(4.6 * len(groups), 4.0), layout="constrained")
    families = list(dict.fromkeys(row["family"] for row in table.rows))
    rates = [row["bitrate_kbps"] for row in table.rows]
    for index, (category, rows) in enumerate(groups):
        axes = figure.add_subplot(1, len(groups), index + 1)
        for family in families:
            line_rows = sorted((r for r in rows if r["family"] == family), key=lambda r: r["bitrate_kbps"])
            axes.plot([r["bitrate_kbps"] for r in line_rows], [r[column] for r in line_rows], marker="o",
                      label=family)
        for target in MATCHED_BITRATES:
            if rates and min(rates) <= target <= max(rates):
                axes.axvline(target, color="#999", linestyle=":", linewidth=0.8)
        if rates and min(rates) > 0 and max(rates) / min(rates) > 20:
            axes.set_xscale("log")
        axes.margins(x=0.12, y=0.12)
        inputs = rows[0]["inputs"] if rows and category != ALL_CATEGORIES else len(table.inputs)
        axes.set_title(f"{category} ({inputs} input(s))", fontsize=10)
        axes.set_xlabel("bitrate (kbps)")
        axes.set_ylabel(column if column != metric.name else metric.label)
        axes.grid(True, alpha=0.3)
    figure.axes[0].legend(fontsize=8)
    figure.suptitle(f"{column} against bitrate, mean over inputs weighted by duration")
    figure.savefig(path, dpi=100)
    return path


def spectrogram_plot(title: str, tracks: Sequence[tuple[str, np.ndarray, int]], path: Path) -> Path:
    """Stacked spectrograms of ``(label, wav [C, T], sample_rate)`` tracks on one colour scale (the first's peak)."""
    from matplotlib.figure import Figure

    rows = len(tracks)
    height = 0.9 + 1.5 * rows
    figure = Figure(figsize=(10, height))
    figure.subplots_adjust(left=0.07, right=0.9, top=1 - 0.5 / height, bottom=0.45 / height, hspace=0.35)
    top = max(rate for _, _, rate in tracks) / 2000.0
    peak_db = None
    for index, (label, wav, sample_rate) in enumerate(tracks):
        axes = figure.add_subplot(rows, 1, index + 1)
        mono = np.asarray(wav, dtype=np.float64).mean(axis=0)
        spectrum = _pooled(_power_db(mono, _window_for(sample_rate)), MAX_PIXELS)
        peak_db = spectrum.max() if peak_db is None else peak_db
        image = axes.imshow(spectrum, origin="lower", aspect="auto", cmap="magma", interpolation="nearest",
                            extent=(0, mono.size / sample_rate, 0, sample_rate / 2000.0),
                            vmin=peak_db - DYNAMIC_RANGE_DB, vmax=peak_db)
        axes.set_facecolor("#e4e4e4")  # above this track's Nyquist frequency: no signal
        axes.set_ylim(0, top)
        axes.set_ylabel("kHz")
        axes.set_title(label, fontsize=9, loc="left")
        if index < rows - 1:
            axes.tick_params(labelbottom=False)
    figure.axes[-1].set_xlabel("time (s)")
    figure.colorbar(image, cax=figure.add_axes((0.92, 0.45 / height, 0.015, 1 - 0.95 / height)), label="dB")
    figure.suptitle(title, y=1 - 0.12 / height, fontsize=11)
    figure.savefig(path, dpi=90)
    return path


def _window_for(sample_rate: int) -> int:
    """About 32 ms, a power of two."""
    return 1 << max(int(round(np.log2(0.032 * sample_rate))), 6)


def _power_db(mono: np.ndarray, window: int) -> np.ndarray:
    """``[frequencies, frames]`` power in dB, Hann windows with 75 % overlap."""
    hop = window // 4
    padded = np.pad(mono, (window // 2, window // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop]
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(window), axis=-1)) ** 2
    return 10.0 * np.log10(spectrum.T + 1e-12)


def _pooled(spectrum: np.ndarray, limits: tuple[int, int]) -> np.ndarray:
    """``spectrum`` averaged over blocks of bins and frames so that it has at most ``limits`` cells."""
    for axis, limit in enumerate(limits):
        factor = -(-spectrum.shape[axis] // limit)
        if factor > 1:
            size = spectrum.shape[axis] // factor * factor
            trimmed = np.take(spectrum, np.arange(size), axis=axis)
            shape = list(trimmed.shape)
            shape[axis:axis + 1] = [size // factor, factor]
            spectrum = trimmed.reshape(shape).mean(axis=axis + 1)
    return spectrum
