"""The example third-party plugin, pip-installed, is discovered and works: no change to codecreg."""

import json
import subprocess
import sys

import pytest
from support.examples import EXAMPLES, pip_install_example

from codecreg.testing import CompressionModelContract


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return pip_install_example("codecreg-mulaw", tmp_path_factory.mktemp("site"))


def test_the_installed_plugin_is_listed_with_its_distribution(installed):
    result = subprocess.run([sys.executable, "-m", "codecreg.cli.main", "list", "mulaw*", "--json"],
                            env=installed, capture_output=True, text=True, timeout=120, check=True)
    specs = {spec["name"]: spec for spec in json.loads(result.stdout)}
    assert set(specs) == {"mulaw_8khz", "mulaw_16khz"}
    assert specs["mulaw_16khz"]["distribution"] == "codecreg-mulaw"
    assert specs["mulaw_16khz"]["bitrate_kbps"] == 128.0


def test_the_installed_plugin_loads_by_name_and_round_trips(installed):
    code = ("import codecreg, torch; c = codecreg.load_codec('mulaw_8khz'); x = torch.linspace(-1, 1, 801)[None, None];"
            "codes, _ = c.encode(x); print(tuple(codes.shape), float((c.decode(codes) - x).abs().max()))")
    result = subprocess.run([sys.executable, "-c", code], env=installed, capture_output=True, text=True,
                            timeout=120, check=True)
    shape, error = result.stdout.split(") ")
    assert shape + ")" == "(1, 1, 801)" and float(error) < 0.03


def test_the_contract_kit_runs_in_the_plugin_authors_own_tests(installed):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "codecreg-mulaw" / "tests")],
                            env=installed, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    kit_tests = sum(name.startswith("test_") for name in dir(CompressionModelContract))
    # two codecs through the kit, one test of its own; mu-law codes whole inputs (no coding plan), so
    # the kit's two long-audio checks skip for each codec
    assert f"{2 * (kit_tests - 2) + 1} passed, 4 skipped" in result.stdout


def test_the_swap_script_checks_the_tokenizer_against_the_language_model():
    script = str(EXAMPLES / "swap_tokenizer.py")
    fits = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=120)
    assert fits.returncode == 0 and "4 streams x 50 tokens (vocabulary 400" in fits.stdout
    misfit = subprocess.run([sys.executable, script, "--tokenizer", "debug?num_codebooks=2"],
                            capture_output=True, text=True, timeout=120)
    assert misfit.returncode == 1
    assert "num_codebooks: the model expects 4, the codec has 2" in misfit.stderr
