"""Plugin discovery with real distributions: dist-info folders with entry_points.txt on sys.path."""

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

from codecreg import PluginLoadError
from codecreg.registry.discovery import discover

GOOD_PLUGIN = '''
from codecreg import CodecSpec, hookimpl

@hookimpl
def register_codecs(register):
    register(CodecSpec(name="{codec}", factory="codecreg.codec.debug_codec:build", sample_rate=32000,
                       frame_rate=25.0, cardinality=400, num_codebooks=4, total_codebooks=4))
'''


def make_distribution(root, name, modules, plugin_module):
    """A minimal installed distribution: NAME-1.0.dist-info with METADATA and an entry point."""
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"  # as a wheel names it
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[codecreg]\n{name} = {plugin_module}\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))


def run_codecreg(root, *args, strict="0", code=None):
    env = dict(os.environ, PYTHONPATH=str(root), CODECREG_STRICT_PLUGINS=strict)
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "codecreg.cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def broken_site(tmp_path):
    make_distribution(tmp_path, "codecreg-broken", {"broken_plugin": "raise RuntimeError('boom: broken on import')"},
                      "broken_plugin")
    return tmp_path


def test_a_broken_plugin_is_reported_and_the_rest_work(broken_site):
    result = run_codecreg(broken_site, "plugins", "--json")
    assert result.returncode == 1  # something is broken: scripts can tell
    plugins = {info["name"]: info for info in json.loads(result.stdout)}
    broken = plugins["codecreg-broken"]
    assert broken["status"] == "error" and broken["distribution"] == "codecreg-broken"
    assert "RuntimeError: boom: broken on import" in broken["error"]
    assert plugins["builtin"]["status"] == "loaded"

    listing = run_codecreg(broken_site, "list", "--json")
    assert listing.returncode == 0
    assert "debug_compression_model" in [spec["name"] for spec in json.loads(listing.stdout)]
    assert "failed to load" in listing.stderr  # logged, not silent

    loaded = run_codecreg(broken_site, code="import codecreg; print(codecreg.load_codec('debug').num_codebooks)")
    assert loaded.returncode == 0 and loaded.stdout.strip() == "4"


def test_strict_mode_makes_a_broken_plugin_fatal(broken_site):
    result = run_codecreg(broken_site, "list", strict="1")
    assert result.returncode == 2
    assert "plugin 'codecreg-broken' (codecreg-broken) failed to load" in result.stderr
    assert "boom: broken on import" in result.stderr


def test_a_plugin_whose_hook_raises_is_isolated(tmp_path):
    make_distribution(tmp_path, "codecreg-hookfail", {"hookfail": '''
        from codecreg import hookimpl

        @hookimpl
        def register_codecs(register):
            raise ValueError("cannot register")
    '''}, "hookfail")
    result = run_codecreg(tmp_path, "plugins", "--json")
    plugins = {info["name"]: info for info in json.loads(result.stdout)}
    assert "ValueError: cannot register" in plugins["codecreg-hookfail"]["error"]
    assert run_codecreg(tmp_path, "info", "debug").returncode == 0


def test_two_plugins_claiming_one_name_are_both_named(tmp_path):
    make_distribution(tmp_path, "codecreg-first", {"first_plugin": GOOD_PLUGIN.format(codec="twin")}, "first_plugin")
    make_distribution(tmp_path, "codecreg-second", {"second_plugin": GOOD_PLUGIN.format(codec="twin")},
                      "second_plugin")
    result = run_codecreg(tmp_path, "info", "twin")
    assert result.returncode == 2
    assert "(codecreg-first)" in result.stderr and "(codecreg-second)" in result.stderr
    assert "ambiguous" in result.stderr

    plugins = {info["name"]: info for info in json.loads(run_codecreg(tmp_path, "plugins", "--json").stdout)}
    assert "registered twice" in plugins["codecreg-second"]["error"]

    strict = run_codecreg(tmp_path, "list", strict="1")
    assert strict.returncode == 2 and "registered twice" in strict.stderr


def test_a_good_third_party_plugin_is_listed_with_its_distribution(tmp_path):
    make_distribution(tmp_path, "codecreg-extra", {"extra_plugin": GOOD_PLUGIN.format(codec="extra_codec")},
                      "extra_plugin")
    specs = {spec["name"]: spec for spec in json.loads(run_codecreg(tmp_path, "list", "--json").stdout)}
    assert specs["extra_codec"]["distribution"] == "codecreg-extra"
    assert specs["extra_codec"]["status"] == "ready"


def test_discover_takes_injected_entry_points():
    points = [EntryPoint(name="builtin", value="codecreg.registry.builtin", group="codecreg"),
              EntryPoint(name="missing", value="codecreg_no_such_module_abc", group="codecreg")]
    registry = discover(points, strict=False)
    assert list(registry.codecs) == ["debug_compression_model"]
    assert "No module named 'codecreg_no_such_module_abc'" in registry.plugins[1].error
    with pytest.raises(PluginLoadError, match="codecreg_no_such_module_abc"):
        discover(points, strict=True)


HEAVY_MODULES = ("torch", "torchaudio", "transformers", "dac", "encodec", "soundfile", "matplotlib", "scipy")


def test_listing_imports_no_heavy_module():
    code = textwrap.dedent(f"""
        import sys, io, contextlib
        import codecreg
        from codecreg.cli.main import main
        codecreg.list_codecs(); codecreg.list_writers(); codecreg.codec_info('debug')
        with contextlib.redirect_stdout(io.StringIO()):
            for command in (['list'], ['plugins'], ['writers'], ['info', 'debug'], ['list', '--json']):
                main(command)
        print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, CODECREG_STRICT_PLUGINS="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_broken_weights_check_is_shown_in_the_status_not_raised():
    from codecreg import CodecSpec

    spec = CodecSpec(name="checked", factory="codecreg.codec.debug_codec:build",
                     weights_check="codecreg_no_such_module_xyz:present")
    assert spec.status().startswith("ready? (weights check codecreg_no_such_module_xyz:present failed: "
                                    "ModuleNotFoundError")
