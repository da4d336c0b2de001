"""Names of a study's settings: codec names split from a list, a codec at a codebook count, its family."""

from __future__ import annotations

import re
from dataclasses import replace

from ..registry.names import CODEC_OPTION_ALIASES, CORE_CODEC_OPTIONS, format_name, parse_name

_OPTION_START = re.compile(r"^[a-z][a-z0-9_]*=")


def split_codec_names(text: str) -> list[str]:
    """``"debug?num_codebooks=2,channels=2,dac_44khz"`` -> ``["debug?num_codebooks=2,channels=2", "dac_44khz"]``.

    A comma separates codec names and also the options inside one: a piece that
    looks like ``key=value`` after a name with options belongs to that name.
    """
    names: list[str] = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        if names and "?" in names[-1] and _OPTION_START.match(piece):
            names[-1] += "," + piece
        else:
            names.append(piece)
    return names


def setting_name(name: str, num_codebooks: int) -> str:
    """The loadable name of codec ``name`` at ``num_codebooks``: ``debug`` -> ``debug?num_codebooks=2``."""
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    options = {k: v for k, v in parsed.options.items() if k not in CORE_CODEC_OPTIONS}
    return format_name(replace(parsed, options={**options, "num_codebooks": str(num_codebooks)}))


def family_name(name: str) -> str:
    """The codec without its codebook options: settings of one family share a line in the plots."""
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    return format_name(replace(parsed, options={k: v for k, v in parsed.options.items()
                                                if k not in CORE_CODEC_OPTIONS}))
