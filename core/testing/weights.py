"""Test weights: seeded checkpoints in the real formats, made once and reused across tests and runs.

No published weights can be downloaded in a test, so each plugin supplies, beside its
registration, a builder for every name it registers (``CodecSpec.test_weights``, an import
string of ``recipe(name, size) -> TestWeights``) at two sizes: ``"small"`` keeps the published
geometry (sample rate, channels, frame rate, codebooks) with narrow layers, ``"real"`` is the
published architecture. The checkpoint is written in the format the name loads, into a cache
folder keyed by the recipe's config, the builder's source and the versions of the libraries it
uses, so a second run builds nothing. ``installed(name, size)`` then lays it out where
``load_codec(name)`` looks: a Hub repo in a private Hugging Face cache, or a file under a
private ``$CODECREG_CACHE``. docs/plugins.md shows a plugin's recipe.

The cache folder is ``$CODECREG_TEST_WEIGHTS`` (default ``~/.cache/codecreg/test-weights``);
a new key for a (name, size) replaces the old entry, so the folder does not grow.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ..registry.loading import get_registry, load_codec
from ..errors import CodecregError

SIZES = ("small", "real")
CACHE_VARIABLE = "CODECREG_TEST_WEIGHTS"


@dataclass(frozen=True)
class TestWeights:
    """How to make one name's test checkpoint and where ``load_codec(name)`` finds it.

    ``build(folder)`` writes the checkpoint files into an empty folder. Exactly one of
    ``hub_repo`` (the folder is a snapshot of that Hub repo) and ``cache_file`` (the folder's
    one file goes to ``$CODECREG_CACHE/<cache_file>``) says where it goes; neither, with
    ``build=None``, is a codec that needs no weights.
    """

    __test__ = False  # not a pytest test class, whatever its name

    config: Mapping[str, Any] = field(default_factory=dict)  # what the weights are built from (json)
    build: Callable[[Path], None] | None = None
    hub_repo: str = ""
    cache_file: str = ""
    libraries: tuple[str, ...] = ("torch",)  # distributions whose versions key the cache

    def __post_init__(self) -> None:
        if (self.build is None) != (not self.hub_repo and not self.cache_file) or (self.hub_repo and self.cache_file):
            raise ValueError("TestWeights: give build with exactly one of hub_repo and cache_file, "
                             "or neither (a codec without weights)")


NO_WEIGHTS = TestWeights()


def no_weights(name: str, size: str) -> TestWeights:
    """The recipe of a codec that needs no weights (a formula, a fixed seed)."""
    return NO_WEIGHTS


def recipe_for(name: str, size: str) -> TestWeights:
    """The registered codec ``name``'s recipe at ``size``, from its plugin's ``test_weights``."""
    if size not in SIZES:
        raise ValueError(f"test weights come in sizes {SIZES}, got {size!r}")
    spec = get_registry().codec(name)
    if not spec.test_weights:
        raise CodecregError(
            f"codec {spec.name!r} (plugin {spec.plugin or '?'}) declares no test weights: give its CodecSpec "
            "test_weights='module:recipe', a function (name, size) -> codecreg.testing.TestWeights "
            "(codecreg.testing.no_weights for a codec without weights); docs/plugins.md shows one")
    module_name, _, attribute = spec.test_weights.partition(":")
    recipe = getattr(importlib.import_module(module_name), attribute)(spec.name, size)
    if not isinstance(recipe, TestWeights):
        raise CodecregError(f"{spec.test_weights}({spec.name!r}, {size!r}) returned {type(recipe).__name__}, "
                            "not a codecreg.testing.TestWeights")
    return recipe


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_VARIABLE) or Path("~", ".cache", "codecreg", "test-weights")).expanduser()


def cache_key(name: str, size: str, recipe: TestWeights) -> str:
    """A hash of everything the files depend on: the config, the builder's module source and the
    versions of the libraries it uses (a new transformers may save another layout)."""
    source = inspect.getsource(importlib.import_module(recipe.build.__module__)) if recipe.build else ""
    versions = {library: _version(library) for library in sorted(recipe.libraries)}
    text = json.dumps([name, size, recipe.config, versions, source], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def checkpoint_folder(name: str, size: str = "small") -> Path | None:
    """The cached folder of ``name``'s test checkpoint at ``size``, built first when missing
    (None: the codec needs no weights). Safe to call from several processes at once."""
    spec = get_registry().codec(name)
    recipe = recipe_for(spec.name, size)
    if recipe.build is None:
        return None
    base = cache_root() / spec.name
    folder = base / f"{size}-{cache_key(spec.name, size, recipe)}"
    if folder.is_dir():
        return folder
    base.mkdir(parents=True, exist_ok=True)
    with open(base / f".{size}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.is_dir():
            partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=base))
            try:
                recipe.build(partial)
                os.replace(partial, folder)
            finally:
                shutil.rmtree(partial, ignore_errors=True)
            for stale in base.glob(f"{size}-*"):  # an older key of the same weights
                if stale != folder:
                    shutil.rmtree(stale, ignore_errors=True)
    return folder


#: the private cache root of the outermost open ``installed``: inner ones lay their files there
_open_roots: list[Path] = []


@contextlib.contextmanager
def installed(name: str, size: str = "small") -> Iterator[Path | None]:
    """While open, ``load_codec(name)`` (any options) loads ``name``'s test checkpoint at ``size``:
    it is linked, as a download would have laid it out, into a private Hugging Face cache and a
    private ``$CODECREG_CACHE``, removed on exit. Yields the checkpoint folder. Nested, the inner
    one adds its files to the outer one's caches (one ``$HF_HUB_CACHE`` serves both, as in
    a real cache) and removes them on exit."""
    spec = get_registry().codec(name)
    recipe = recipe_for(spec.name, size)
    with contextlib.ExitStack() as stack:
        if _open_roots:
            root = _open_roots[-1]
        else:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"codecreg-{spec.name}-{size}-")))
            _open_roots.append(root)
            stack.callback(_open_roots.pop)
        if recipe.hub_repo:
            from huggingface_hub import constants

            repo = root / "hub" / ("models--" + recipe.hub_repo.replace("/", "--"))
            _claim(repo, name)
            folder = checkpoint_folder(spec.name, size)
            stack.callback(shutil.rmtree, repo, ignore_errors=True)
            _link_hub_snapshot(folder, recipe.hub_repo, root / "hub")
            stack.enter_context(_patched(constants, "HF_HUB_CACHE", str(root / "hub")))
            stack.enter_context(_environment(HF_HUB_CACHE=str(root / "hub")))  # for child processes
        elif recipe.cache_file:
            target = root / "codecreg" / recipe.cache_file
            _claim(target, name)
            folder = checkpoint_folder(spec.name, size)
            (only,) = [path for path in folder.iterdir() if path.is_file()]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(only)
            stack.callback(target.unlink, missing_ok=True)
            stack.enter_context(_environment(CODECREG_CACHE=str(root / "codecreg")))
        else:
            folder = checkpoint_folder(spec.name, size)
        yield folder


def _claim(path: Path, name: str) -> None:
    if path.exists() or path.is_symlink():
        raise CodecregError(f"installed({name!r}) is already open around this one, perhaps at another size: "
                            "close it first")


def load_test_codec(name: str, size: str = "small", device: Any = "cpu"):
    """``load_codec(name)`` on its test weights at ``size`` (``name`` may carry options)."""
    from ..registry.names import parse_name

    with installed(parse_name(name).target, size):
        return load_codec(name, device=device)


def _link_hub_snapshot(folder: Path, repo_id: str, hub_cache: Path, revision: str = "main") -> Path:
    """``folder``'s files as the snapshot of ``repo_id`` at ``revision``, symlinked as huggingface_hub
    links its snapshots to blobs."""
    repo = hub_cache / ("models--" + repo_id.replace("/", "--"))
    commit = hashlib.sha1(f"{repo_id}@{folder.name}".encode()).hexdigest()
    snapshot = repo / "snapshots" / commit
    for path in folder.rglob("*"):
        if path.is_file():
            link = snapshot / path.relative_to(folder)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / revision).write_text(commit)
    return snapshot


@contextlib.contextmanager
def _patched(owner: Any, attribute: str, value: Any) -> Iterator[None]:
    old = getattr(owner, attribute)
    setattr(owner, attribute, value)
    try:
        yield
    finally:
        setattr(owner, attribute, old)


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"
