"""The layout's rules, read from the source: no import cycle inside codecreg, and
plugins and examples import only codecreg's public API (docs/plugins.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import codecreg

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"


def module_name(path: Path, root: Path = CORE, package: str = "codecreg") -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def core_modules(core: Path = CORE) -> dict[str, Path]:
    return {module_name(path, core): path for path in sorted(core.rglob("*.py"))}


def all_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement: at module level, inside a function, and under ``if TYPE_CHECKING:``
    too. A type-only import runs for a type checker, a documentation tool or
    ``typing.get_type_hints``, so a circle through one is a circle all the same: every import
    points down."""
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def type_only_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The imports under ``if TYPE_CHECKING:`` (never executed at run time)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            found += [child for branch in node.body for child in ast.walk(branch)
                      if isinstance(child, (ast.Import, ast.ImportFrom))]
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The codecreg modules that ``module`` imports: ``from .x import y`` counts as ``x.y``
    when that is a module, else as ``x``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in all_imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            targets.add(submodule if submodule in known else base)
    return {target for target in targets if target in known and target != module}


def import_graph(core: Path = CORE) -> dict[str, set[str]]:
    modules = core_modules(core)
    return {name: imported_modules(name, path, set(modules)) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_codecreg_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle in codecreg: " + " -> ".join(cycle)


def test_the_cycle_check_sees_function_level_imports(tmp_path):
    """A cycle closed by an import inside a function (as get_pretrained -> load_codec was) is found."""
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "api.py").write_text("from .contract import Model\n")
    (tmp_path / "contract.py").write_text("class Model:\n    def load(self):\n        from .api import x\n")
    graph = import_graph(tmp_path)
    assert find_cycle(graph) == ["codecreg.api", "codecreg.contract", "codecreg.api"]


def test_the_cycle_check_sees_type_only_imports(tmp_path):
    """The old circle: api.py imported the contract under ``if TYPE_CHECKING:`` for its annotations,
    and the contract's get_pretrained imported api.load_codec in a function. Found now, and so is
    a circle closed by type-only imports alone."""
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "api.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                     "    from .contract import Model\ndef load_codec(name): ...\n")
    (tmp_path / "contract.py").write_text("class Model:\n    @classmethod\n    def get_pretrained(cls, name):\n"
                                          "        from .api import load_codec\n        return load_codec(name)\n")
    (tmp_path / "typed_a.py").write_text("import typing\nif typing.TYPE_CHECKING:\n    from . import typed_b\n")
    (tmp_path / "typed_b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                         "    from .typed_a import A\n")
    graph = import_graph(tmp_path)
    assert graph["codecreg.api"] == {"codecreg.contract"} and graph["codecreg.contract"] == {"codecreg.api"}
    assert find_cycle(graph) == ["codecreg.api", "codecreg.contract", "codecreg.api"]
    assert find_cycle({name: graph[name] for name in ("codecreg.typed_a", "codecreg.typed_b")}) == [
        "codecreg.typed_a", "codecreg.typed_b", "codecreg.typed_a"]


def test_the_codec_contract_names_no_layer_above_it():
    """CompressionModel.get_pretrained builds through a loader the registry layer installs: the
    contract imports neither the registry's loading functions nor the API facade."""
    for module in ("codec/compression.py", "codec/metadata.py", "chunking/driving.py"):
        tree = ast.parse((CORE / module).read_text())
        names = {node.module or "" for node in all_imports(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name for name in names if name.endswith(("loading", "api"))}, module
    assert not type_only_imports(ast.parse((CORE / "codec" / "compression.py").read_text()))


def public_submodules() -> set[str]:
    """The submodules docs/plugins.md declares public, in its section on imports."""
    text = (ROOT / "docs" / "plugins.md").read_text()
    section = text.split("## What a plugin may import", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `(codecreg\.[\w.]+)`", section, re.M))


def private_uses(path: Path, public_modules: set[str], public_names: set[str]) -> list[str]:
    """Each import of, or attribute reached through, codecreg that is not public API."""
    tree = ast.parse(path.read_text(), str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("codecreg.") and alias.name not in public_modules:
                    problems.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "codecreg":
                for alias in node.names:
                    if alias.name not in public_names and f"codecreg.{alias.name}" not in public_modules:
                        problems.append(f"line {node.lineno}: from codecreg import {alias.name}")
            elif node.module.startswith("codecreg.") and node.module not in public_modules:
                problems.append(f"line {node.lineno}: from {node.module} import ...")
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            dotted = _dotted(node)
            if dotted and dotted[0] == "codecreg" and not _is_public(dotted, public_modules, public_names):
                problems.append(f"line {node.lineno}: {'.'.join(dotted)}")
    return problems


def _dotted(node: ast.expr) -> list[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else []


def _is_public(dotted: list[str], public_modules: set[str], public_names: set[str]) -> bool:
    """``codecreg.NAME...`` with NAME public, or a chain through a public submodule."""
    if dotted[1] in public_names:
        return True
    return any(".".join(dotted[:end]) in public_modules for end in range(2, len(dotted) + 1))


def plugin_sources() -> list[Path]:
    return sorted(path for folder in ("plugins", "examples") for path in (ROOT / folder).rglob("*.py"))


def test_docs_name_the_public_submodules_and_they_import():
    modules = public_submodules()
    assert {"codecreg.testing", "codecreg.audio.arrays"} <= modules
    for module in modules:
        __import__(module)


@pytest.mark.parametrize("path", plugin_sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_plugins_and_examples_use_only_the_public_api(path):
    problems = private_uses(path, public_submodules(), set(codecreg.__all__))
    assert not problems, (f"{path.relative_to(ROOT)} reaches into codecreg's internals: {'; '.join(problems)}. "
                          "Use a name from codecreg.__all__ or a submodule docs/plugins.md lists as public.")


def test_the_public_api_check_catches_private_imports(tmp_path):
    plugin = tmp_path / "plugin.py"
    plugin.write_text("import codecreg\nfrom codecreg import load_codec, Registry\n"
                      "from codecreg.registry.specs import bitrate_kbps\nimport codecreg.api\n"
                      "from codecreg.testing import synthetic_audio\nx = codecreg.api.load_codec\n"
                      "y = codecreg.audio.arrays.interleaved\nz = codecreg.audio.writing.whole_file.audio_write(1)\n")
    problems = private_uses(plugin, {"codecreg.testing", "codecreg.audio.arrays"}, set(codecreg.__all__))
    assert problems == ["line 2: from codecreg import Registry", "line 3: from codecreg.registry.specs import ...",
                        "line 4: import codecreg.api", "line 6: codecreg.api.load_codec", "line 8: codecreg.audio.writing.whole_file.audio_write"]


def test_core_top_level_stays_small():
    assert len(list(CORE.glob("*.py"))) <= 10


METADATA_PROPERTIES = {"channels", "frame_rate", "sample_rate", "cardinality", "num_codebooks", "total_codebooks"}


def codec_classes_redefining_metadata() -> list[str]:
    """First-party codec classes that define a metadata getter themselves instead of set_metadata."""
    found = []
    for path in sorted([*CORE.rglob("*.py"), *(ROOT / "plugins").rglob("*.py"), *(ROOT / "examples").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef) and "CompressionModel" in {getattr(b, "id", "") for b in node.bases}:
                names = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
                names |= {target.id for item in node.body if isinstance(item, ast.Assign)
                          for target in item.targets if isinstance(target, ast.Name)}
                found += [f"{path.relative_to(ROOT)}:{node.name}.{name}" for name in sorted(names & METADATA_PROPERTIES)]
    return found


def test_codecs_declare_metadata_once_instead_of_writing_getters():
    assert codec_classes_redefining_metadata() == []
