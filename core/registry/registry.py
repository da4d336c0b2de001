"""The registry: every spec the plugins registered, looked up by name.

It holds specs only (plain data), never built models. Lookups of unknown names
suggest the closest registered ones; a name two plugins claim cannot be used
until one of them is removed.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from ..errors import DuplicateNameError, UnknownNameError
from .specs import CodecSpec, MetricSpec, SourceSpec, Spec, WriterSpec

_KINDS = {CodecSpec: "codec", SourceSpec: "source", WriterSpec: "writer", MetricSpec: "metric"}
_LIST_COMMANDS = {"codec": "codecreg list", "source": "codecreg plugins",
                  "writer": "codecreg writers", "metric": "codecreg plugins"}


@dataclass
class PluginInfo:
    """One plugin as discovery saw it: loaded, or the error that stopped it."""

    name: str
    module: str
    distribution: str = ""
    version: str = ""
    error: str = ""
    registered: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "error" if self.error else "loaded"


class Registry:
    """Specs by kind and name. ``add`` refuses a name already taken unless ``clobber=True``."""

    def __init__(self) -> None:
        self._specs: dict[str, dict[str, Spec]] = {kind: {} for kind in _KINDS.values()}
        self._aliases: dict[str, str] = {}  # codec alias -> codec name
        self._conflicts: dict[tuple[str, str], list[Spec]] = {}
        self.plugins: list[PluginInfo] = []

    # registration ---------------------------------------------------------
    def add(self, spec: Spec, clobber: bool = False) -> None:
        kind = _kind_of(spec)
        keys = [spec.name, *getattr(spec, "aliases", ())]
        if not clobber:
            for key in keys:
                owner = self._owner(kind, key)
                if owner is not None and owner != spec:
                    self._conflicts[(kind, key)] = [owner, spec]
                    raise DuplicateNameError(
                        f"{kind} name {key!r} is registered twice: by {_origin(owner)} and by "
                        f"{_origin(spec)}. Uninstall one of them, or rename it in its plugin."
                    )
        for key in keys:  # a clobbering spec takes each of its names whole
            self._conflicts.pop((kind, key), None)
            if kind == "codec":
                self._aliases.pop(key, None)
        self._specs[kind][spec.name] = spec
        for alias in getattr(spec, "aliases", ()):
            self._aliases[alias] = spec.name

    # read-only views ------------------------------------------------------
    @property
    def codecs(self) -> Mapping[str, CodecSpec]:
        return MappingProxyType(self._specs["codec"])

    @property
    def sources(self) -> Mapping[str, SourceSpec]:
        return MappingProxyType(self._specs["source"])

    @property
    def writers(self) -> Mapping[str, WriterSpec]:
        return MappingProxyType(self._specs["writer"])

    @property
    def metrics(self) -> Mapping[str, MetricSpec]:
        return MappingProxyType(self._specs["metric"])

    # lookups --------------------------------------------------------------
    def codec(self, name: str) -> CodecSpec:
        return self._lookup("codec", self._aliases.get(name, name), requested=name)

    def source(self, scheme: str) -> SourceSpec:
        return self._lookup("source", scheme)

    def writer(self, name: str) -> WriterSpec:
        return self._lookup("writer", name)

    def metric(self, name: str) -> MetricSpec:
        return self._lookup("metric", name)

    def source_for_path(self, path: str) -> SourceSpec | None:
        """The source whose light sniffer recognizes the checkpoint at ``path``: of several, the one
        of lowest ``priority``; two at that priority are refused, naming both."""
        claimants = [spec for spec in self._specs["source"].values() if spec.claims_path and spec.claims(path)]
        if not claimants:
            return None
        best = min(spec.priority for spec in claimants)
        tied = sorted((spec for spec in claimants if spec.priority == best), key=lambda spec: spec.name)
        if len(tied) > 1:
            names = " and ".join(f"source {spec.name!r} of {_origin(spec)}" for spec in tied)
            raise DuplicateNameError(
                f"the checkpoint at {path!r} is claimed by {names}, at the same priority {best}. "
                f"Load it by scheme (e.g. '{tied[0].name}:{path}' where that source has a scheme), uninstall "
                "one of them, or give one a lower SourceSpec.priority in its plugin."
            )
        return tied[0]

    def find_codecs(self, pattern: str | None = None) -> list[CodecSpec]:
        """Codecs whose name or an alias matches the fnmatch ``pattern``, sorted by name."""
        specs = sorted(self._specs["codec"].values(), key=lambda spec: spec.name)
        if not pattern:
            return specs
        return [spec for spec in specs
                if any(fnmatch.fnmatchcase(key, pattern) for key in (spec.name, *spec.aliases))]

    def names(self, kind: str) -> list[str]:
        names = list(self._specs[kind])
        if kind == "codec":
            names += list(self._aliases)
        return names

    # internals ------------------------------------------------------------
    def _owner(self, kind: str, key: str) -> Spec | None:
        if kind == "codec" and key in self._aliases:
            return self._specs["codec"][self._aliases[key]]
        return self._specs[kind].get(key)

    def _lookup(self, kind: str, name: str, requested: str | None = None) -> Spec:
        requested = requested or name
        conflict = self._conflicts.get((kind, requested)) or self._conflicts.get((kind, name))
        if conflict:
            first, second = conflict
            raise DuplicateNameError(
                f"{kind} {requested!r} is ambiguous: both {_origin(first)} and {_origin(second)} "
                "register it. Uninstall one of them."
            )
        try:
            return self._specs[kind][name]
        except KeyError:
            raise UnknownNameError(self.unknown_message(kind, requested)) from None

    def unknown_message(self, kind: str, name: str) -> str:
        candidates = self.names(kind)
        close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
        message = f"unknown {kind} {name!r}."
        if close:
            message += f" Did you mean {' or '.join(repr(c) for c in close)}?"
        if kind == "codec" and "/" in name:
            message += f" To load a Hugging Face repo, name its source explicitly: 'hf:{name}'."
        if kind == "source":
            message += f" Known sources: {', '.join(sorted(candidates)) or 'none'}."
        message += f" `{_LIST_COMMANDS[kind]}` shows every {kind} installed."
        return message


def _kind_of(spec: Spec) -> str:
    for cls, kind in _KINDS.items():
        if isinstance(spec, cls):
            return kind
    raise TypeError(f"register() takes a CodecSpec, SourceSpec, WriterSpec or MetricSpec, got {type(spec).__name__}")


def _origin(spec: Spec) -> str:
    where = spec.distribution or "an unknown distribution"
    return f"plugin {spec.plugin or '?'} ({where})"

