"""``ComparisonTable``: what ``codecreg.compare`` measured, as rows, CSV, JSON and markdown.

Tables: ``rows`` has one row per codec setting (means over the inputs,
weighted by their duration), ``category_rows`` one per category and setting
(when the inputs have categories), ``per_input`` one per setting and input,
``codebooks`` one per setting and codebook, ``matched`` one per category, target
bitrate and codec family (``summaries.matched_bitrates``). Plain dicts of str, int and float, so they print, serialize and load
into pandas (``to_pandas``) without conversion.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import CodecregError, MissingDependencyError

#: columns of ``rows`` before the metrics, and after them
SETTING_COLUMNS = ("category", "codec", "family", "num_codebooks", "bitrate_kbps", "tokens_per_s", "sample_rate",
                   "channels", "frame_rate", "cardinality", "inputs", "encode_rtf", "decode_rtf", "delay_ms")
#: the category of the summary rows over all inputs
ALL_CATEGORIES = "all"
USAGE_COLUMNS = ("utilization", "perplexity")
#: per input: "metric: reason" for each metric that could not score it, joined by "; " (empty when all did)
UNSCORED_COLUMN = "unscored"
#: columns whose values are timings: they change from run to run, everything else is deterministic
TIMING_COLUMNS = ("encode_rtf", "decode_rtf", "encode_s", "decode_s", "metrics_s")


@dataclass(frozen=True)
class MetricInfo:
    """A metric as the tables show it: its spec's name, unit, direction, range and what it scored."""

    name: str
    unit: str = ""
    higher_is_better: bool = True
    needs_reference: bool = True
    value_range: tuple[float, float] | None = None
    sample_rates: tuple[int, ...] = ()
    channel_mode: str = "all"

    @property
    def input_column(self) -> str:
        """A no-reference metric's score of the input itself: the ceiling for the reconstruction's."""
        return f"{self.name}_input"

    @property
    def columns(self) -> tuple[str, ...]:
        """Its value columns: the score, and for a no-reference metric the input's score."""
        return (self.name,) if self.needs_reference else (self.name, self.input_column)

    @property
    def scored_columns(self) -> tuple[str, ...]:
        """In the summary, per value column: how many inputs it scored (the others are empty, ``unscored`` says why)."""
        return tuple(scored_column(column) for column in self.columns)

    @property
    def label(self) -> str:
        direction = "higher is better" if self.higher_is_better else "lower is better"
        return f"{self.name} ({self.unit + ', ' if self.unit else ''}{direction})"


def scored_column(column: str) -> str:
    return f"{column}_scored"


@dataclass
class ComparisonTable:
    """Results of a comparison. Iterating yields the summary rows."""

    rows: list[dict[str, Any]]
    per_input: list[dict[str, Any]]
    codebooks: list[dict[str, Any]]
    metrics: list[MetricInfo]
    inputs: list[dict[str, Any]]
    seed: int = 0
    warnings: list[str] = field(default_factory=list)
    category_rows: list[dict[str, Any]] = field(default_factory=list)
    matched: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "ComparisonTable":
        """The table of the finished study in ``folder`` (its ``results.json``)."""
        path = Path(folder) / "results.json"
        if not path.is_file():
            raise CodecregError(f"{folder} holds no finished study (no results.json); run `codecreg compare ... "
                                f"--out {folder}` (again, to finish an interrupted one)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            metrics = [MetricInfo(**{**m, "value_range": None if m["value_range"] is None else tuple(m["value_range"]),
                                     "sample_rates": tuple(m["sample_rates"])}) for m in data["metrics"]]
            return cls(rows=_none_to_nan(data["summary"]), per_input=_none_to_nan(data["per_input"]),
                       codebooks=data["codebooks"], metrics=metrics, inputs=data["inputs"], seed=data["seed"],
                       warnings=data["warnings"], category_rows=_none_to_nan(data.get("category_summary", [])),
                       matched=_none_to_nan(data.get("matched_bitrates", [])))
        except (ValueError, KeyError, TypeError) as error:
            raise CodecregError(f"{path} is not a codecreg study's results ({type(error).__name__}: {error})") \
                from None

    @property
    def categories(self) -> list[str]:
        """The inputs' categories, in order of appearance (none when the inputs have no category)."""
        return list(dict.fromkeys(row["category"] for row in self.category_rows))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __getitem__(self, codec: str | int) -> dict[str, Any]:
        """A summary row by position or by its codec setting name (``"debug?num_codebooks=2"``)."""
        if isinstance(codec, int):
            return self.rows[codec]
        for row in self.rows:
            if row["codec"] == codec:
                return row
        raise KeyError(f"no setting {codec!r} in this table; it has {', '.join(self.settings)}")

    def setting_slugs(self) -> dict[str, str]:
        """Each setting's file name under ``audio/INPUT/`` (as the workers wrote them)."""
        slugs: dict[str, str] = {}
        for label in self.settings:
            slugs[label] = setting_slug(label, list(slugs.values()))
        return slugs

    @property
    def settings(self) -> list[str]:
        return [row["codec"] for row in self.rows]

    @property
    def columns(self) -> list[str]:
        return [*SETTING_COLUMNS, *(c for m in self.metrics for c in (*m.columns, *m.scored_columns)), *USAGE_COLUMNS]

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.rows]

    # serializations ---------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from ..version import __version__

        return {"codecreg_version": __version__, "seed": self.seed,
                "metrics": [vars(m) for m in self.metrics], "inputs": self.inputs,
                "summary": self.rows, "categories": self.categories, "category_summary": self.category_rows,
                "matched_bitrates": self.matched, "per_input": self.per_input, "codebooks": self.codebooks,
                "warnings": self.warnings}

    def to_json(self) -> str:
        """JSON with NaN written as null (a metric that failed), so any JSON reader accepts it."""
        return json.dumps(_nan_to_none(self.to_dict()), indent=2)

    def to_csv(self, which: str = "summary") -> str:
        """One of the tables as CSV text: "summary" (all inputs, then per category), "per_input", "codebooks",
        "matched" (the settings closest to matched bitrates)."""
        rows = {"summary": self.rows + self.category_rows, "per_input": self.per_input, "codebooks": self.codebooks,
                "matched": self.matched}[which]
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return buffer.getvalue()

    def to_markdown(self) -> str:
        """The summary and per-codebook usage as markdown tables."""
        headers = ["codec", "kbps", "tokens/s", "enc RTF", "dec RTF",
                   *(f"{column} {'↑' if m.higher_is_better else '↓'}" for m in self.metrics for column in m.columns),
                   "utilization", "perplexity", "per codebook utilization"]
        lines = [_markdown_row(headers), _markdown_row(["---"] * len(headers))]
        for row in self.rows:
            usage = [c for c in self.codebooks if c["codec"] == row["codec"]]
            cells = [f"`{row['codec']}`", format_number(row["bitrate_kbps"]), format_number(row["tokens_per_s"]),
                     format_number(row["encode_rtf"]), format_number(row["decode_rtf"]),
                     *(_scored_cell(row, m, column, len(self.inputs)) for m in self.metrics for column in m.columns),
                     format_number(row["utilization"]), format_number(row["perplexity"]),
                     " / ".join(f"{c['utilization']:.2f}" for c in usage)]
            lines.append(_markdown_row(cells))
        inputs = (", ".join(f"{i['name']} ({i['seconds']:.1f} s)" for i in self.inputs) if len(self.inputs) <= 10
                  else f"{len(self.inputs)}, {sum(i['seconds'] for i in self.inputs) / 60:.1f} min in all")
        notes = [f"Inputs: {inputs}.", "RTF: processing time / audio duration (below 1 is faster than real time).",
                 "Metric values and delays are means over the inputs weighted by their duration, after delay "
                 "alignment, over the inputs each metric could score ((n/N): it scored n of N; per_input.csv's "
                 "`unscored` says why); a `_input` column scores the input itself, the ceiling of a no-reference "
                 "metric; utilization and perplexity are means over codebooks."]
        return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"

    def report_markdown(self) -> str:
        """``to_markdown`` and, below, the summaries per category and the metrics at matched bitrates."""
        parts = [self.to_markdown()]
        for category in self.categories:
            rows = [r for r in self.category_rows if r["category"] == category]
            parts.append(f"## Category {category} ({rows[0]['inputs'] if rows else 0} input(s))\n\n"
                         + self._summary_markdown(rows))
        if self.matched:
            headers = ["category", "target kbps", "codec", "setting", "kbps",
                       *(f"{c} {'↑' if m.higher_is_better else '↓'}" for m in self.metrics for c in m.columns)]
            lines = [_markdown_row(headers), _markdown_row(["---"] * len(headers))]
            lines += [_markdown_row([r["category"], format_number(r["target_kbps"]), f"`{r['family']}`",
                                     f"`{r['codec']}`", format_number(r["bitrate_kbps"]),
                                     *(format_number(r[c]) for m in self.metrics for c in m.columns)])
                      for r in self.matched]
            parts.append("## At matched bitrates (the setting closest to each target)\n\n" + "\n".join(lines) + "\n")
        return "\n".join(parts)

    def _summary_markdown(self, rows: list[dict[str, Any]]) -> str:
        headers = ["codec", "kbps", "inputs", *(f"{c} {'↑' if m.higher_is_better else '↓'}" for m in self.metrics
                                                for c in m.columns)]
        lines = [_markdown_row(headers), _markdown_row(["---"] * len(headers))]
        lines += [_markdown_row([f"`{r['codec']}`", format_number(r["bitrate_kbps"]), str(r["inputs"]),
                                 *(_scored_cell(r, m, c, r["inputs"]) for m in self.metrics for c in m.columns)])
                  for r in rows]
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:  # notebooks render the table
        return self.to_markdown()

    def to_pandas(self, which: str = "summary") -> Any:
        try:
            import pandas
        except ImportError:
            raise MissingDependencyError("ComparisonTable.to_pandas needs pandas, which is not installed. "
                                         "Install it with: pip install pandas") from None

        return pandas.DataFrame({"summary": self.rows + self.category_rows, "per_input": self.per_input,
                                 "codebooks": self.codebooks, "matched": self.matched}[which])


def format_number(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3e}"
    return str(value)


def _scored_cell(row: dict[str, Any], metric: MetricInfo, column: str, inputs: int) -> str:
    """The value, with ``(n/N)`` when the metric scored only n of the N inputs."""
    scored = row.get(scored_column(column), inputs)
    return format_number(row[column]) + (f" ({scored}/{inputs})" if scored < inputs else "")


def _markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _none_to_nan(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON's null (a value not scored) back to NaN."""
    return [{key: float("nan") if value is None else value for key, value in row.items()} for row in rows]


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _nan_to_none(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(item) for item in value]
    return value


def setting_slug(label: str, taken: list[str]) -> str:
    """The file name (without suffix) of a setting's reconstructions: never ``original``, never another's."""
    from ..files.inputs import slug

    base = slug(label)
    candidate, number = base, 2
    while candidate == "original" or candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def category_name(category: str) -> str:
    """How summaries name an input's category: its own, or ``(none)``."""
    return category or "(none)"


ROW_TEXT_COLUMNS = ("codec", "input", "category", "unscored")


def row_columns(metrics: list[MetricInfo]) -> list[str]:
    return ["codec", "input", "category", "seconds", "encode_s", "decode_s", "metrics_s", "delay_ms",
            *(column for metric in metrics for column in metric.columns), "unscored"]


def write_rows(path: Path, rows: list[dict[str, Any]], metrics: list[MetricInfo]) -> None:
    """Per-input rows as Parquet, atomically: text columns as strings, the others float64."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..files.atomic_file import atomic_write_path

    columns = row_columns(metrics)
    schema = pa.schema([pa.field(c, pa.string() if c in ROW_TEXT_COLUMNS else pa.float64()) for c in columns])
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows], schema=schema)
    with atomic_write_path(path) as temporary:
        pq.write_table(table, temporary)
