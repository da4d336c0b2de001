"""Finding plugins: entry points in the ``codecreg`` group, each loaded in isolation.

Loading a plugin imports only its registration module and calls its hooks. A
plugin that fails is recorded (name, distribution, error) and logged, and the
others go on; with CODECREG_STRICT_PLUGINS=1 the first failure is raised, for
plugin authors and CI.
"""

from __future__ import annotations

import logging
import os
import traceback
from importlib.metadata import EntryPoint, entry_points
from typing import Iterable

import pluggy

from ..errors import CodecregError, PluginLoadError
from . import hookspecs
from .registry import PluginInfo, Registry

ENTRY_POINT_GROUP = "codecreg"
STRICT_ENV = "CODECREG_STRICT_PLUGINS"
HOOKS = ("register_codecs", "register_sources", "register_writers", "register_metrics")

log = logging.getLogger(__name__)


def strict_mode() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def discover(points: Iterable[EntryPoint] | None = None, strict: bool | None = None) -> Registry:
    """A registry filled by every plugin in ``points`` (default: the installed entry points)."""
    strict = strict_mode() if strict is None else strict
    points = entry_points(group=ENTRY_POINT_GROUP) if points is None else points
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    registry = Registry()
    for point in sorted(points, key=lambda p: p.name):
        info = _load_plugin(manager, registry, point)
        registry.plugins.append(info)
        if info.error:
            log.warning("codecreg plugin %r from %s failed to load: %s",
                        info.name, info.distribution or "?", info.error.splitlines()[-1])
            if strict:
                raise PluginLoadError(
                    f"plugin {info.name!r} ({info.distribution or '?'}) failed to load "
                    f"and {STRICT_ENV} is set:\n{info.error}"
                )
    return registry


def _load_plugin(manager: pluggy.PluginManager, registry: Registry, point: EntryPoint) -> PluginInfo:
    dist = getattr(point, "dist", None)
    info = PluginInfo(
        name=point.name,
        module=point.value,
        distribution=dist.metadata["Name"] if dist is not None else "",
        version=dist.version if dist is not None else "",
    )

    def register(spec, clobber: bool = False) -> None:
        spec = spec.with_origin(info.name, info.distribution)
        registry.add(spec, clobber=clobber)
        info.registered.append(f"{spec.kind}:{spec.name}")

    try:
        module = point.load()
        manager.register(module, name=point.name)
        for hook_name in HOOKS:
            for impl in getattr(manager.hook, hook_name).get_hookimpls():
                if impl.plugin_name == point.name:
                    impl.function(register=register)
    except CodecregError as error:  # our own errors already say what to do
        info.error = str(error)
    except Exception:  # a broken plugin must not take the registry down
        info.error = traceback.format_exc(limit=3).strip()
    return info
