"""Checking a codec against what a language model was trained on, as MusicGen's solver does."""

from __future__ import annotations

from typing import Any

from ..errors import IncompatibleCodecError

#: Hz: a config may write 86.13 for DAC's 44100 / 512 = 86.1328125; 87 (transformers' rounding up) is off
FRAME_RATE_TOLERANCE = 0.005


def check_compatible(codec: Any, *, cardinality: int | None = None, num_codebooks: int | None = None,
                     sample_rate: int | None = None, frame_rate: float | None = None,
                     channels: int | None = None) -> None:
    """Raise IncompatibleCodecError listing every mismatch between ``codec`` and a model's config.

    ``codec`` is a built CompressionModel or a CodecSpec (static metadata). A
    language model needs the same vocabulary size per codebook (``cardinality``),
    the same number of parallel streams, and the same time grid.
    """
    expected = {"cardinality": cardinality, "num_codebooks": num_codebooks, "sample_rate": sample_rate,
                "frame_rate": frame_rate, "channels": channels}
    problems = []
    for key, want in expected.items():
        if want is None:
            continue
        have = getattr(codec, key)
        same = abs(have - want) <= FRAME_RATE_TOLERANCE if key == "frame_rate" else have == want
        if not same:
            problems.append(_codebooks_problem(codec, want) if key == "num_codebooks"
                            else f"{key}: the model expects {want}, the codec has {have}")
    if problems:
        name = getattr(codec, "name", "") or type(codec).__name__
        raise IncompatibleCodecError(
            f"codec {name!r} does not fit: " + "; ".join(problems)
            + ". Pick a codec whose `codecreg info` matches."
        )


def _codebooks_problem(codec: Any, want: int) -> str:
    """A codebook count is the one mismatch a name can fix, when the codec has enough codebooks."""
    total = getattr(codec, "total_codebooks", None)
    if total is not None and want > total:
        return f"num_codebooks: the model expects {want}, the codec has only {total} codebooks"
    return (f"num_codebooks: the model expects {want}, the codec has {codec.num_codebooks} "
            f"(add '?num_codebooks={want}' to its name, or call set_num_codebooks({want}))")
