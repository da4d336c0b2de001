"""``ComparisonTable``: what ``codecreg.compare`` measured, as rows, CSV, JSON and markdown.

Three tables: ``rows`` has one row per codec setting (means over the inputs,
weighted by their duration), ``per_input`` one per setting and input,
``codebooks`` one per setting and codebook. Plain dicts of str, int and float, so they print, serialize and load
into pandas (``to_pandas``) without conversion.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..errors import MissingDependencyError

#: columns of ``rows`` before the metrics, and after them
SETTING_COLUMNS = ("codec", "family", "num_codebooks", "bitrate_kbps", "tokens_per_s", "sample_rate", "channels",
                   "frame_rate", "cardinality", "encode_rtf", "decode_rtf", "delay_ms")
USAGE_COLUMNS = ("utilization", "perplexity")
#: per input: "metric: reason" for each metric that could not score it, joined by "; " (empty when all did)
UNSCORED_COLUMN = "unscored"
#: columns whose values are timings: they change from run to run, everything else is deterministic
TIMING_COLUMNS = ("encode_rtf", "decode_rtf", "encode_s", "decode_s")


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
                "summary": self.rows, "per_input": self.per_input, "codebooks": self.codebooks,
                "warnings": self.warnings}

    def to_json(self) -> str:
        """JSON with NaN written as null (a metric that failed), so any JSON reader accepts it."""
        return json.dumps(_nan_to_none(self.to_dict()), indent=2)

    def to_csv(self, which: str = "summary") -> str:
        """One of the tables ("summary", "per_input", "codebooks") as CSV text."""
        rows = {"summary": self.rows, "per_input": self.per_input, "codebooks": self.codebooks}[which]
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
        inputs = ", ".join(f"{i['name']} ({i['seconds']:.1f} s)" for i in self.inputs)
        notes = [f"Inputs: {inputs}.", "RTF: processing time / audio duration (below 1 is faster than real time).",
                 "Metric values and delays are means over the inputs weighted by their duration, after delay "
                 "alignment, over the inputs each metric could score ((n/N): it scored n of N; per_input.csv's "
                 "`unscored` says why); a `_input` column scores the input itself, the ceiling of a no-reference "
                 "metric; utilization and perplexity are means over codebooks."]
        return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"

    def _repr_markdown_(self) -> str:  # notebooks render the table
        return self.to_markdown()

    def to_pandas(self, which: str = "summary") -> Any:
        try:
            import pandas
        except ImportError:
            raise MissingDependencyError("ComparisonTable.to_pandas needs pandas, which is not installed. "
                                         "Install it with: pip install pandas") from None

        return pandas.DataFrame({"summary": self.rows, "per_input": self.per_input,
                                 "codebooks": self.codebooks}[which])


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


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _nan_to_none(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(item) for item in value]
    return value
