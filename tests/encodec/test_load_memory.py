"""Loading real-size weights costs about their size in memory, not several times it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Peak RSS of this process image (VmHWM: a fresh count after exec, unlike ru_maxrss, which
# carries the parent's), reset after the imports so that only the load is measured.
_CHILD = r"""
import json, re, sys
def kib(field):
    return int(re.search(field + r":\s+(\d+)", open("/proc/self/status").read()).group(1))
import torch, codecreg, codecreg_encodec.transformers_format
open("/proc/self/clear_refs", "w").write("5")
before = kib("VmRSS")
codec = codecreg.load_codec(sys.argv[1])
print(json.dumps({"increase_kib": kib("VmHWM") - before}))
"""


@pytest.mark.slow
@pytest.mark.memory
def test_loading_the_32khz_model_holds_its_weights_about_once(refs, tmp_path):
    folder = tmp_path / "encodec_32khz"
    refs.transformers_model(refs.TRANSFORMERS_32KHZ).save_pretrained(folder)
    weights = (folder / "model.safetensors").stat().st_size
    result = subprocess.run([sys.executable, "-c", _CHILD, str(folder)], capture_output=True, text=True,
                            timeout=300, check=True)
    increase = json.loads(result.stdout.strip().splitlines()[-1])["increase_kib"] * 1024
    # the weights once, the decoder's time-major matrices (0.2x) and allocator slack; it was 2.65x
    assert increase < 1.7 * weights, f"loading raised peak RSS by {increase / weights:.2f}x the weights' size"


@pytest.mark.parametrize("damage", ["header length", "offsets"])
def test_a_damaged_safetensors_file_is_refused_with_the_reason(small_transformers, tmp_path, damage):
    import codecreg
    from codecreg import CheckpointError

    _, source = small_transformers
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "config.json").write_bytes((source / "config.json").read_bytes())
    data = (source / "model.safetensors").read_bytes()
    if damage == "header length":
        data = (len(data) * 2).to_bytes(8, "little") + data[8:]
    else:
        data = data[: len(data) // 2]
    (folder / "model.safetensors").write_bytes(data)
    with pytest.raises(CheckpointError, match="cannot read .* as safetensors: (its header length|tensor .* does not fit)"):
        codecreg.load_codec(str(folder))
