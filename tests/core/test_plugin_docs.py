"""docs/plugins.md documents everything a plugin author fills in or calls: every spec field, the
kit's hooks and the helpers, so the page cannot fall behind the code."""

import dataclasses
import inspect
from pathlib import Path

import pytest

import codecreg
from codecreg.testing import CompressionModelContract, synthetic_audio

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text()


@pytest.mark.parametrize("spec", [codecreg.CodecSpec, codecreg.SourceSpec, codecreg.WriterSpec, codecreg.MetricSpec],
                         ids=lambda spec: spec.__name__)
def test_every_spec_field_is_documented(spec):
    missing = [field.name for field in dataclasses.fields(spec)
               if not field.name.startswith("_") and f"`{field.name}`" not in PAGE]
    assert not missing, f"docs/plugins.md does not mention {spec.__name__} field(s) {missing}"


def test_the_kit_and_the_helpers_are_documented():
    hooks = ["expected_frames", "spec_name", "codec_name", "set_metadata", "check_length", "trim_to_length",
             "parse_int_option", "frames_for", "seeded_weights", "TestWeights", "checkpoint_folder", "installed",
             "load_test_codec", "no_weights", "seed_residual_codebooks", "SeedableCodebook"]
    assert [name for name in hooks if name not in PAGE] == []
    parameters = inspect.signature(synthetic_audio).parameters.values()
    signature = ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in parameters)
    assert f"synthetic_audio({signature})" in PAGE, "docs/plugins.md must give synthetic_audio's signature"
    assert all(hasattr(CompressionModelContract, name)
               for name in ("expected_frames", "spec_name", "codec_name", "seeded_weights"))


def test_the_readme_lists_every_registered_codec():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("## What is in the box", 1)[1].split("\n## ", 1)[0]
    missing = [spec.name for spec in codecreg.list_codecs() if f"`{spec.name}`" not in table]
    assert not missing, f"README.md's codec table does not list {missing}"
