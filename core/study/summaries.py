"""From per-input rows to the study's summaries: per setting, per category and setting, and at matched bitrates.

A summary's metric values and delay are means over the inputs weighted by their
duration, over the inputs each metric scored (``METRIC_scored`` counts them);
real-time factors are total processing time over total audio. Categories are
summarized as Codec-SUPERB reports them: the same row per setting, once for
all inputs (category ``all``) and once per category. The matched-bitrate table
gives, for each codec family and each target bitrate (1.5, 3, 6 kbps), the
setting whose bitrate is closest to it (the lower one on a tie).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .codebook_stats import CodebookUsage, _usage
from .results import ALL_CATEGORIES, ComparisonTable, MetricInfo, scored_column

#: the bitrates (kbps) at which codecs are compared setting against setting
MATCHED_BITRATES = (1.5, 3.0, 6.0)


def build_table(settings: list[dict], per_input: list[dict], inputs: list[dict], counts: dict[str, np.ndarray],
                metrics: list[MetricInfo], seed: int, warnings: list[str]) -> ComparisonTable:
    from .results import category_name

    categories = list(dict.fromkeys(category_name(i["category"]) for i in inputs))
    rows, category_rows, codebooks = [], [], []
    for setting in settings:
        label = setting["codec"]
        mine = [r for r in per_input if r["codec"] == label]
        usage = [_usage(k, row) for k, row in enumerate(counts[label])] if label in counts else []
        rows.append(summary_row(setting, mine, metrics, usage, ALL_CATEGORIES))
        codebooks += [{"codec": label, "codebook": u.codebook, "utilization": u.utilization,
                       "perplexity": u.perplexity, "entropy_bits": u.entropy_bits} for u in usage]
    if any(i["category"] for i in inputs):
        for category in categories:
            for setting, overall in zip(settings, rows):
                mine = [r for r in per_input if r["codec"] == setting["codec"]
                        and category_name(r["category"]) == category]
                row = summary_row(setting, mine, metrics, None, category)
                row["utilization"], row["perplexity"] = overall["utilization"], overall["perplexity"]
                category_rows.append(row)
    table = ComparisonTable(rows=rows, per_input=per_input, codebooks=codebooks, metrics=metrics, inputs=inputs,
                            seed=seed, warnings=warnings, category_rows=category_rows)
    table.matched = matched_bitrates(table)
    return table


def summary_row(setting: dict, rows: list[dict], metrics: list[MetricInfo], usage: list[CodebookUsage] | None,
                category: str) -> dict[str, Any]:
    durations = np.array([r["seconds"] for r in rows], dtype=np.float64)
    seconds = float(durations.sum())
    row: dict[str, Any] = {"category": category, "codec": setting["codec"], "family": setting["family"],
                           **{key: setting[key] for key in ("num_codebooks", "bitrate_kbps", "tokens_per_s",
                                                            "sample_rate", "channels", "frame_rate", "cardinality")},
                           "inputs": len(rows)}
    row["encode_rtf"] = sum(r["encode_s"] for r in rows) / seconds if seconds else float("nan")
    row["decode_rtf"] = sum(r["decode_s"] for r in rows) / seconds if seconds else float("nan")
    row["delay_ms"] = _weighted([r["delay_ms"] for r in rows], durations)[0]
    for column in (c for m in metrics for c in m.columns):
        row[column], row[scored_column(column)] = _weighted([r[column] for r in rows], durations)
    if usage is not None:
        row["utilization"] = float(np.mean([u.utilization for u in usage])) if usage else float("nan")
        row["perplexity"] = float(np.mean([u.perplexity for u in usage])) if usage else float("nan")
    return row


def matched_bitrates(table: ComparisonTable, targets: tuple[float, ...] = MATCHED_BITRATES) -> list[dict[str, Any]]:
    """Per category (``all`` first), target bitrate and codec family: the closest setting and its metrics."""
    matched = []
    for category, rows in (((ALL_CATEGORIES, table.rows),)
                           + tuple((c, [r for r in table.category_rows if r["category"] == c])
                                   for c in table.categories)):
        families = list(dict.fromkeys(r["family"] for r in rows))
        for target in targets:
            for family in families:
                candidates = [r for r in rows if r["family"] == family]
                best = min(candidates, key=lambda r: (abs(r["bitrate_kbps"] - target), r["bitrate_kbps"]))
                matched.append({"category": category, "target_kbps": target, "family": family,
                                "codec": best["codec"], "bitrate_kbps": best["bitrate_kbps"],
                                **{column: best[column] for m in table.metrics for column in m.columns}})
    return matched


def _weighted(values: list[float], durations: np.ndarray) -> tuple[float, int]:
    """The duration-weighted mean of the finite values, and how many there were."""
    array = np.array(values, dtype=np.float64)
    scored = np.isfinite(array)
    if not scored.any():
        return float("nan"), 0
    return float(np.average(array[scored], weights=durations[scored])), int(scored.sum())
