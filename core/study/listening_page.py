"""The listening page: one self-contained HTML file, the original and every reconstruction side by side.

Players are given for a sample of the inputs (up to ``listen_per_category`` of each
category, spread over its inputs), not for every input of a corpus; the tables
and rate-quality curves cover all of them.

No script, font or style is fetched from anywhere: the CSS is inline and audio
and pictures are referenced relative to the page, so the study folder opens
from disk, can be zipped, or served as it is.
"""

from __future__ import annotations

from html import escape
from typing import Callable
from urllib.parse import quote

from ..version import __version__
from .results import ComparisonTable, format_number

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; background: #fafafa; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #eee; } td:first-child, th:first-child { text-align: left; }
.tracks { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr)); gap: 0.75rem; }
.track { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem; }
.track.original { border-color: #4a7; }
.track h3 { font-size: 0.9rem; margin: 0 0 0.3rem; font-family: ui-monospace, monospace; word-break: break-all; }
.track p { font-size: 0.8rem; margin: 0.2rem 0 0.4rem; color: #555; }
audio { width: 100%; } img { max-width: 100%; border: 1px solid #ddd; background: #fff; }
.note { font-size: 0.8rem; color: #555; }
"""


def render_page(table: ComparisonTable, listened: list[dict], audio_href: Callable[[str, str | None], str],
                spectrogram_href: Callable[[str], str], plot_href: str,
                curve_hrefs: dict[str, str] | None = None) -> str:
    """The page's HTML: the summaries, the plots and players for the ``listened`` inputs.
    ``audio_href(input, codec)`` (codec None: the original) and the others give relative links."""
    from .results import category_name

    metric_names = [m.name for m in table.metrics]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # no favicon request, so no console error from file://
        "<title>codecreg comparison</title>", f"<style>{_STYLE}</style></head><body>",
        "<h1>codecreg comparison</h1>",
        f'<p class="note">{len(table.rows)} codec setting(s) on {len(table.inputs)} input(s); '
        f"codecreg {escape(__version__)}, seed {table.seed}. Metrics are measured after delay alignment at each "
        "codec's sample rate; RTF is processing time over audio duration.</p>",
        _summary_table(table, table.rows),
    ]
    for category in table.categories:
        rows = [r for r in table.category_rows if r["category"] == category]
        parts.append(f"<h2>Category {escape(category)}</h2>")
        parts.append(_summary_table(table, rows))
    parts.append(f'<img src="{quote(plot_href)}" alt="rate-distortion plot">')
    if table.matched:
        parts.append("<h2>At matched bitrates</h2>" + _matched_table(table))
    for column, href in (curve_hrefs or {}).items():
        parts.append(f'<p><img src="{quote(href)}" alt="{escape(column)} against bitrate"></p>')
    if table.warnings:
        shown = table.warnings[:50]
        more = len(table.warnings) - len(shown)
        parts.append('<h2>Warnings</h2><ul class="note">' + "".join(f"<li>{escape(w)}</li>" for w in shown)
                     + (f"<li>... and {more} more (results.json has them all)</li>" if more else "") + "</ul>")
    rows_of = {(r["codec"], r["input"]): r for r in table.per_input}
    if len(listened) < len(table.inputs):
        parts.append(f'<p class="note">Players for {len(listened)} of the {len(table.inputs)} inputs: a sample '
                     "of each category, spread over its inputs.</p>")
    for item in listened:
        name = item["name"]
        category = f"{category_name(item.get('category', ''))}: " if table.categories else ""
        parts.append(f'<h2 id="{escape(name)}">{escape(category + name)}</h2>')
        parts.append(f'<p class="note">{item["seconds"]:.2f} s, {item["sample_rate"]} Hz, '
                     f'{item["channels"]} channel(s){", " + escape(item["path"]) if item["path"] else ""}</p>')
        parts.append('<div class="tracks">')
        parts.append(_track("original", "as read", audio_href(name, None), "track original"))
        for row in table.rows:
            scores = rows_of.get((row["codec"], name))
            if scores is None:  # this setting failed on this input
                continue
            details = ", ".join([f"{format_number(row['bitrate_kbps'])} kbps"]
                                + [f"{metric} {format_number(scores[metric])}" for metric in metric_names])
            parts.append(_track(row["codec"], details, audio_href(name, row["codec"]), "track"))
        parts.append("</div>")
        parts.append(f'<p><img src="{quote(spectrogram_href(name))}" alt="spectrograms of {escape(name)}"></p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _matched_table(table: ComparisonTable) -> str:
    columns = [c for m in table.metrics for c in m.columns]
    head = "".join(f"<th>{escape(h)}</th>" for h in ["category", "target kbps", "codec", "setting", "kbps", *columns])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in [
        escape(r["category"]), format_number(r["target_kbps"]), f"<code>{escape(r['family'])}</code>",
        f"<code>{escape(r['codec'])}</code>", format_number(r["bitrate_kbps"]),
        *(format_number(r[c]) for c in columns)]) + "</tr>" for r in table.matched)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary_table(table: ComparisonTable, rows: list[dict]) -> str:
    headers = ["codec", "kbps", "tokens/s", "inputs", "enc RTF", "dec RTF", "delay ms",
               *(escape(m.label) for m in table.metrics), "utilization", "perplexity"]
    keys = ["bitrate_kbps", "tokens_per_s", "inputs", "encode_rtf", "decode_rtf", "delay_ms",
            *(m.name for m in table.metrics), "utilization", "perplexity"]
    cells = [[f"<code>{escape(row['codec'])}</code>", *(format_number(row[key]) for key in keys)]
             for row in rows]
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _track(title: str, details: str, href: str, css_class: str) -> str:
    return (f'<div class="{css_class}"><h3>{escape(title)}</h3><p>{escape(details)}</p>'
            f'<audio controls preload="metadata" src="{quote(href)}"></audio></div>')
