"""audiocraft's experiment configuration (``xp.cfg``) as plain data, without omegaconf.

Exported checkpoints store it as YAML text; training checkpoints store the
omegaconf ``DictConfig`` object itself in the pickle. Reading the latter must not
run omegaconf's code (nor need it installed): ``STAND_INS`` maps each omegaconf
class name the pickle may use to an inert class of ours, given to
``torch.load(weights_only=True)`` as its allow-list, so the unpickler only fills
these objects' ``__dict__``; ``to_plain`` then walks them. Any other global is
refused by torch. ``${a.b}`` interpolations are resolved against the root.
"""

from __future__ import annotations

import re
from typing import Any

from codecreg import CheckpointError


class _Container:
    """Stands in for DictConfig and ListConfig: the content is in ``_content``."""


class _ValueNode:
    """Stands in for omegaconf's value nodes: the value is in ``_val``."""


class _Metadata:
    """Stands in for omegaconf's node metadata, which holds nothing we read."""


class _TypeMarker:
    """Stands in for the type objects metadata names (``typing.Any``, ``dict``, ...)."""


def _empty_mapping(*_args: Any) -> dict:
    """Stands in for ``collections.defaultdict`` (metadata's resolver cache)."""
    return {}


_VALUE_NODES = ("AnyNode", "StringNode", "IntegerNode", "FloatNode", "BooleanNode", "BytesNode", "PathNode")
STAND_INS: list[tuple[Any, str]] = [
    (_Container, "omegaconf.dictconfig.DictConfig"),
    (_Container, "omegaconf.listconfig.ListConfig"),
    (_Metadata, "omegaconf.base.ContainerMetadata"),
    (_Metadata, "omegaconf.base.Metadata"),
    *[(_ValueNode, f"omegaconf.nodes.{name}") for name in _VALUE_NODES],
    (_TypeMarker, "typing.Any"),
    *[(_TypeMarker, f"{module}.{name}") for module in ("builtins", "__builtin__")
      for name in ("dict", "list", "int", "long", "float", "str", "bool", "bytes", "tuple", "object")],
    (_empty_mapping, "collections.defaultdict"),
]

_INTERPOLATION = re.compile(r"\$\{([^${}]+)\}")
_MISSING = "???"


def read_xp_config(value: Any) -> dict[str, Any]:
    """``xp.cfg`` as stored (YAML text, or the unpickled stand-ins) -> a resolved plain dict."""
    if isinstance(value, str):
        import yaml

        try:
            plain = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise CheckpointError(f"the checkpoint's xp.cfg is not valid YAML: {error}") from None
    else:
        plain = to_plain(value)
    if not isinstance(plain, dict):
        raise CheckpointError(f"the checkpoint's xp.cfg is a {type(plain).__name__}, not a configuration mapping")
    return resolve(plain, plain)


def to_plain(node: Any) -> Any:
    if isinstance(node, _Container):
        content = node.__dict__.get("_content")
        if isinstance(content, dict):
            return {key: to_plain(item) for key, item in content.items()}
        if isinstance(content, list):
            return [to_plain(item) for item in content]
        return content  # None, "???" or an interpolation standing for the whole container
    if isinstance(node, _ValueNode):
        return node.__dict__.get("_val")
    if isinstance(node, dict):
        return {key: to_plain(item) for key, item in node.items()}
    if isinstance(node, list):
        return [to_plain(item) for item in node]
    return node


def resolve(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """Replace ``${path}`` references by their values; leave those that cannot be resolved
    (resolvers such as ``${oc.env:X}``, relative paths) as text, for ``require`` to report."""
    if depth > 32:
        raise CheckpointError("the checkpoint's xp.cfg has interpolations that refer to each other in a loop")
    if isinstance(node, dict):
        return {key: resolve(item, root, depth) for key, item in node.items()}
    if isinstance(node, list):
        return [resolve(item, root, depth) for item in node]
    if not isinstance(node, str) or "${" not in node:
        return node
    whole = _INTERPOLATION.fullmatch(node)
    if whole:
        found, value = _lookup(root, whole.group(1))
        return resolve(value, root, depth + 1) if found else node

    def substitute(match: re.Match) -> str:
        found, value = _lookup(root, match.group(1))
        return str(resolve(value, root, depth + 1)) if found else match.group(0)

    return _INTERPOLATION.sub(substitute, node)


def _lookup(root: dict[str, Any], path: str) -> tuple[bool, Any]:
    if ":" in path or path.startswith("."):
        return False, None
    node: Any = root
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def require(config: dict[str, Any], path: str, default: Any = _MISSING) -> Any:
    """The value at ``path`` ("seanet.ratios"); a clear error if absent or unresolved."""
    found, value = _lookup(config, path)
    if not found or value == _MISSING:
        if default is not _MISSING:
            return default
        raise CheckpointError(f"the checkpoint's xp.cfg has no value for {path!r}")
    if isinstance(value, str) and "${" in value:
        raise CheckpointError(f"the checkpoint's xp.cfg sets {path!r} to {value!r}, an interpolation "
                              "codecreg cannot resolve; export the checkpoint with resolved values")
    return value
