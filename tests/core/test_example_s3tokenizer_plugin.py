"""examples/codecreg-s3tokenizer, pip-installed as a third-party plugin: an encode-only tokenizer that is
listed without torch, declares it has no decoder, and passes its own tests (the kit, parity with the
s3tokenizer package's tokens from the same ONNX file).

s3tokenizer imports onnx, whose protobuf (>= 4) descript-audiotools' pin (protobuf < 3.20) rules out of
.venv; `make` installs both into a folder of their own (``S3_SITE``), put on the path of these tests'
child processes only.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.examples import pip_install_example

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "codecreg-s3tokenizer"
S3_SITE = Path(os.environ.get("CODECREG_S3_SITE", ROOT / ".cache" / "s3tokenizer-site"))

if not (S3_SITE / "s3tokenizer").is_dir():
    pytest.skip(f"s3tokenizer and onnx are not installed in {S3_SITE} (`make s3tokenizer-site` installs them)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    env = pip_install_example("codecreg-s3tokenizer", tmp_path_factory.mktemp("site"))
    first, _, rest = env["PYTHONPATH"].partition(os.pathsep)  # the example's folder, then s3tokenizer's
    return dict(env, PYTHONPATH=os.pathsep.join(filter(None, [first, str(S3_SITE), rest])))


def test_listing_shows_an_encode_only_tokenizer_without_torch(installed):
    code = ("import json, sys, codecreg; specs = [s.as_dict() for s in codecreg.list_codecs('s3tokenizer*')];"
            "print(json.dumps([specs, [m for m in ('torch', 's3tokenizer', 'onnx') if m in sys.modules]]))")
    result = subprocess.run([sys.executable, "-c", code], env=installed, capture_output=True, text=True,
                            timeout=120, check=True)
    specs, imported = json.loads(result.stdout)
    assert imported == []
    assert {s["name"]: (s["has_decoder"], s["frame_rate"], s["status"]) for s in specs} == {
        "s3tokenizer_v1": (False, 50.0, "ready, weights not downloaded yet"),
        "s3tokenizer_v1_25hz": (False, 25.0, "ready, weights not downloaded yet"),
    }


def test_codecreg_decode_and_compare_refuse_it_before_building_it(installed, tmp_path):
    code = ("import codecreg\n"
            "try:\n    codecreg.compare(['s3tokenizer_v1'], ['missing.wav'], show_progress=False)\n"
            "except codecreg.NoDecoderError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], env=installed, capture_output=True, text=True,
                            timeout=120, check=True)
    assert "'s3tokenizer_v1' is an encode-only tokenizer: it has no decoder" in result.stdout
    decode = subprocess.run([sys.executable, "-m", "codecreg.cli.main", "decode", str(tmp_path), "-o",
                             str(tmp_path / "out"), "--codec", "s3tokenizer_v1"],
                            env=installed, capture_output=True, text=True, timeout=120)
    assert decode.returncode == 2 and "encode-only tokenizer" in decode.stderr


@pytest.mark.slow  # the published architecture (118 M parameters): the ONNX format fixes it
def test_the_example_s_own_tests_pass(installed):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE / "tests")],
                            env=installed, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:]
    from codecreg.testing import CompressionModelContract

    kit_tests = sum(name.startswith("test_") for name in dir(CompressionModelContract))
    # two tokenizers through the kit: the five decoding checks and the two long-audio ones skip for each;
    # two parity tests for each
    assert f"{2 * (kit_tests - 7) + 2 * 2} passed, 14 skipped" in result.stdout, result.stdout[-1500:]
