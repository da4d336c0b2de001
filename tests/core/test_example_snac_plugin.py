"""examples/codecreg-snac, pip-installed as a third-party plugin: listed without torch, its levels
declared, and its own tests (the contract kit and parity with the snac package) pass on seeded weights."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.examples import pip_install_example

pytest.importorskip("snac")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "codecreg-snac"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return pip_install_example("codecreg-snac", tmp_path_factory.mktemp("site"))


def test_listing_shows_the_three_models_and_their_levels_without_torch(installed):
    code = ("import json, sys, codecreg; specs = [s.as_dict() for s in codecreg.list_codecs('snac*')];"
            "print(json.dumps([specs, 'torch' in sys.modules, 'snac' in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], env=installed, capture_output=True, text=True,
                            timeout=120, check=True)
    specs, torch_imported, snac_imported = json.loads(result.stdout)
    assert not torch_imported and not snac_imported
    found = {spec["name"]: (spec["distribution"], spec["total_codebooks"], spec["bitrate_kbps"], spec["levels"])
             for spec in specs}
    assert found == {
        "snac_24khz": ("codecreg-snac", 7, 0.9844, "3 levels at 11.72, 23.44, 46.88 frames/s (1, 1, 1 codebooks), "
                                                   "7 rows a frame"),
        "snac_32khz": ("codecreg-snac", 15, 1.875, "4 levels at 10.42, 20.83, 41.67, 83.33 frames/s (1, 1, 1, 1 "
                                                   "codebooks), 15 rows a frame"),
        "snac_44khz": ("codecreg-snac", 15, 2.584, "4 levels at 14.36, 28.71, 57.42, 114.8 frames/s (1, 1, 1, 1 "
                                                   "codebooks), 15 rows a frame"),
    }


def _run_example_tests(installed, size):
    env = dict(installed, CODECREG_SNAC_SIZE=size)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE / "tests")],
                            env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:]
    from codecreg.testing import CompressionModelContract

    kit_tests = sum(name.startswith("test_") for name in dir(CompressionModelContract))
    # three codecs through the kit (SNAC codes whole inputs: the two long-audio checks skip for each),
    # and three parity tests for each codec plus one of the published numbers
    assert f"{3 * (kit_tests - 2) + 3 * 3 + 1} passed, 6 skipped" in result.stdout, result.stdout[-1500:]


def test_the_example_s_own_tests_pass_on_small_seeded_weights(installed):
    _run_example_tests(installed, "small")


@pytest.mark.slow
def test_the_example_s_own_tests_pass_on_real_size_seeded_weights(installed):
    _run_example_tests(installed, "real")
