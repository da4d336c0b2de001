"""The one name grammar that selects a codec or a writer by a string.

    name     := "//pretrained/" NAME          audiocraft's solver form, same as NAME
              | SCHEME ":" TARGET ["@" REV]   a source plugin: hf:facebook/encodec_32khz@main
              | PATH                          a local checkpoint file or folder
              | NAME                          a registered name or alias: encodec_32khz
    name     := name ["?" OPTION ("," OPTION)*]
    OPTION   := KEY "=" VALUE                 num_codebooks=4, bandwidth=6

``&`` also separates options, as in a URL (quote it in a shell). A PATH starts
with ``/``, ``./``, ``../`` or ``~``, or names something that exists. Nothing
here ever turns a name into a network lookup: only an explicit scheme does that.
The full description, with examples, is docs/names.md.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import InvalidNameError

PRETRAINED_PREFIX = "//pretrained/"
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]+):(?!//)(.+)$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# Options a codec name may carry whatever its plugin; handled by core.
CODEC_OPTION_ALIASES = {"n_q": "num_codebooks", "bw": "bandwidth"}
CORE_CODEC_OPTIONS = ("num_codebooks", "bandwidth", "chunk_seconds", "resampler", "stereo")


@dataclass(frozen=True)
class ParsedName:
    """A name split into its parts. ``scheme`` is None for a registered name, "path" for a local path."""

    text: str
    target: str
    scheme: str | None = None
    revision: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def is_path(self) -> bool:
        return self.scheme == "path"


def parse_name(text: str, option_aliases: dict[str, str] | None = None) -> ParsedName:
    """Split ``text`` by the grammar above; raise InvalidNameError saying what is malformed."""
    if not isinstance(text, str):
        raise InvalidNameError(f"a codec or writer name must be a string, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise InvalidNameError("empty name: give a registered name such as 'encodec_32khz' (see `codecreg list`)")
    body, options = _split_options(stripped, option_aliases or {})

    if body.startswith(PRETRAINED_PREFIX):
        target = body[len(PRETRAINED_PREFIX):]
        if not target:
            raise InvalidNameError(f"{text!r}: '//pretrained/' must be followed by a name")
        return ParsedName(text, target, None, None, options)

    if _looks_like_path(body):
        return ParsedName(text, os.path.expanduser(body), "path", None, options)

    match = _SCHEME.match(body)
    if match:
        scheme, rest = match.groups()
        target, revision = _split_revision(text, rest)
        return ParsedName(text, target, scheme, revision, options)

    if "@" in body:
        raise InvalidNameError(
            f"{text!r}: a revision ('@...') needs a source scheme, as in 'hf:{body}'"
        )
    return ParsedName(text, body, None, None, options)


def format_name(parsed: ParsedName) -> str:
    """The canonical string for a parsed name, options sorted: stored in token files."""
    if parsed.scheme in (None, "path"):
        body = parsed.target
    else:
        body = f"{parsed.scheme}:{parsed.target}"
        if parsed.revision:
            body += f"@{parsed.revision}"
    if parsed.options:
        body += "?" + ",".join(f"{key}={value}" for key, value in sorted(parsed.options.items()))
    return body


def reproducible_name(factory_name: str, parsed: ParsedName, core_options: dict[str, str]) -> str:
    """The name a loaded codec keeps (token files store it): the one its factory set on it,
    with the options core applied, or else the name it was loaded by.

    A factory sets one when the name it was given does not pin the codec down, as when its
    weights were found through an environment variable: ``mycodec?weights=/resolved/path``.
    """
    if not factory_name:
        return format_name(parsed)
    own = parse_name(factory_name, CODEC_OPTION_ALIASES)
    return format_name(ParsedName(own.text, own.target, own.scheme, own.revision, {**own.options, **core_options}))


def with_option(text: str, key: str, value: str) -> str:
    """``text`` with the option ``key=value`` added (a command-line flag joining a name's options);
    the same value already there is kept, another is refused."""
    parsed = parse_name(text, CODEC_OPTION_ALIASES)
    given = parsed.options.get(key)
    if given is not None:
        if given != value:
            raise InvalidNameError(f"{text!r} says {key}={given} and the command line says {key}={value}: "
                                   "give one of them")
        return text
    return f"{text.strip()}{',' if parsed.options else '?'}{key}={value}"


def with_resampler(text: str, resampler: str) -> str:
    """The codec name ``text`` with ``resampler=`` among its options (a --resampler flag), checked."""
    if resampler not in ("soxr", "julius"):  # codecreg.audio.conversion.RESAMPLERS, without importing numpy
        raise InvalidNameError(f"unknown resampler {resampler!r}: choose soxr or julius")
    return with_option(text, "resampler", resampler)


def _split_options(text: str, aliases: dict[str, str]) -> tuple[str, dict[str, str]]:
    body, sep, query = text.partition("?")
    if not sep:
        return body, {}
    if not body:
        raise InvalidNameError(f"{text!r}: options ('?key=value') must follow a name")
    options: dict[str, str] = {}
    for item in re.split(r"[,&]", query):
        key, eq, value = (part.strip() for part in item.partition("="))
        if not eq or not value or not _KEY.match(key):
            raise InvalidNameError(
                f"{text!r}: option {item!r} is not 'key=value' "
                "(write e.g. 'encodec_24khz?bandwidth=6' or 'dac_44khz?num_codebooks=4')"
            )
        key = aliases.get(key, key)
        if key in options:
            raise InvalidNameError(f"{text!r}: option {key!r} is given twice")
        options[key] = value
    return body, options


def _split_revision(text: str, rest: str) -> tuple[str, str | None]:
    target, at, revision = rest.rpartition("@")
    if not at:
        return rest, None
    if not target or not revision:
        raise InvalidNameError(f"{text!r}: write a revision as 'scheme:target@revision'")
    return target, revision


def _looks_like_path(body: str) -> bool:
    if body.startswith(("/", "./", "../", "~")) or body in (".", ".."):
        return True
    if re.match(r"^[A-Za-z]:[\\/]", body):  # a Windows drive
        return True
    return os.path.exists(body) and ("/" in body or os.sep in body or "." in body)


def parse_int_option(key: str, text: str, minimum: int = 1, example: str = "") -> int:
    """A whole-number option from a name (options arrive as strings), refused with the reason if it is not one.

    For factories: ``channels = parse_int_option("channels", channels, example="2 for stereo")``.
    """
    try:
        value = int(text, 10) if isinstance(text, str) else int(text)
    except (TypeError, ValueError):
        value = None
    if value is None or value < minimum or isinstance(text, bool):
        hint = f" ({example})" if example else ""
        raise InvalidNameError(f"{key} must be a whole number from {minimum} up{hint}, got {text!r}")
    return value
