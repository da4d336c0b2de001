"""Resolving ``hf:`` names: the offline Hub cache, revisions, local folders, and the errors
that say what is wrong and how to fix it."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import textwrap

import pytest
import torch

import codecreg
from codecreg.testing import synthetic_audio
from codecreg_hf.dac_codec import TransformersDac
from codecreg_hf.encodec_codec import TransformersEncodec
from support.hf_cache import put_in_hf_cache
from support.hf_models import build_encodec, cache_model

ENCODEC = "codecreg-tests/encodec_32khz-tiny"
DAC = "codecreg-tests/dac_24khz-tiny"


def _codes(codec, seconds: float = 0.5) -> torch.Tensor:
    audio = synthetic_audio(codec.channels, int(seconds * codec.sample_rate), codec.sample_rate)
    return codec.encode(audio)[0]


def test_repo_id_loads_from_the_offline_cache(hub_model):
    hub_model(ENCODEC)
    codec = codecreg.load_codec(f"hf:{ENCODEC}")
    assert isinstance(codec, TransformersEncodec)
    assert codec.name == f"hf:{ENCODEC}"
    assert (codec.sample_rate, codec.channels, codec.frame_rate, codec.cardinality) == (32000, 1, 50.0, 2048)
    assert (codec.num_codebooks, codec.total_codebooks) == (4, 4)
    assert codec.bitrate == pytest.approx(2.2)


def test_revisions_select_the_cached_commit(hub_model):
    main = hub_model(ENCODEC)
    other = build_encodec("encodec_32khz", seed=7, tiny=True)
    snapshot = cache_model(other, ENCODEC, revision="v2")
    audio = synthetic_audio(1, 16000, 32000)
    with torch.no_grad():
        expected_main = main.encode(audio, bandwidth=2.2).audio_codes[0]
        expected_v2 = other.encode(audio, bandwidth=2.2).audio_codes[0]
    assert not torch.equal(expected_main, expected_v2)
    for name, expected in [(f"hf:{ENCODEC}", expected_main), (f"hf:{ENCODEC}@main", expected_main),
                           (f"hf:{ENCODEC}@v2", expected_v2), (f"hf:{ENCODEC}@{snapshot.name}", expected_v2)]:
        assert torch.equal(codecreg.load_codec(name).encode(audio)[0], expected), name


def test_local_folder_loads_with_the_hf_scheme(hub_model, tmp_path):
    model = hub_model(ENCODEC)
    model.save_pretrained(tmp_path)
    codec = codecreg.load_codec(f"hf:{tmp_path}")
    assert isinstance(codec, TransformersEncodec)
    assert torch.equal(_codes(codec), _codes(codecreg.load_codec(f"hf:{ENCODEC}")))


def test_bare_dac_folder_is_claimed_by_the_hf_plugin(hub_model, tmp_path):
    hub_model(DAC).save_pretrained(tmp_path)
    assert codecreg.get_registry().source_for_path(str(tmp_path)).name == "hf"
    codec = codecreg.load_codec(str(tmp_path))
    assert isinstance(codec, TransformersDac)
    assert torch.equal(_codes(codec), _codes(codecreg.load_codec(f"hf:{DAC}")))


def test_bare_encodec_folder_is_left_to_the_native_plugin(hub_model, tmp_path):
    hub_model(ENCODEC).save_pretrained(tmp_path)
    claimer = codecreg.get_registry().source_for_path(str(tmp_path))
    assert claimer is None or claimer.name != "hf"


def test_repo_not_in_cache_says_how_to_fix_it():
    with pytest.raises(codecreg.CheckpointError) as error:
        codecreg.load_codec("hf:nobody/not-cached")
    message = str(error.value)
    assert "not in the Hugging Face cache" in message and "HF_HUB_OFFLINE=1" in message
    assert "hf download nobody/not-cached" in message and "hf:/path/to/folder" in message


def test_revision_not_in_cache_is_named(hub_model):
    hub_model(ENCODEC)
    with pytest.raises(codecreg.CheckpointError, match=f"{ENCODEC}@nope is not in the Hugging Face cache"
                                                       f".*`hf download {ENCODEC} --revision nope`"):
        codecreg.load_codec(f"hf:{ENCODEC}@nope")


def test_revision_of_a_local_folder_is_refused(tmp_path):
    with pytest.raises(codecreg.CheckpointError, match="local folder; drop '@v1'"):
        codecreg.load_codec(f"hf:{tmp_path}@v1")


def test_missing_folder_and_bad_repo_id_are_refused(tmp_path):
    with pytest.raises(codecreg.CheckpointError, match="no such folder"):
        codecreg.load_codec(f"hf:{tmp_path}/absent")
    with pytest.raises(codecreg.CheckpointError, match="neither an existing folder nor a valid Hub repo id"):
        codecreg.load_codec("hf:too/many/parts")


def test_unsupported_model_type_lists_what_is_supported(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "wav2vec2"}))
    put_in_hf_cache(tmp_path, "codecreg-tests/not-a-codec")
    with pytest.raises(codecreg.CheckpointError, match=r"model_type 'wav2vec2'.*'encodec' \(EncodecModel\), "
                                                       r"'dac' \(DacModel\)"):
        codecreg.load_codec("hf:codecreg-tests/not-a-codec")


def test_folder_without_config_is_refused(tmp_path):
    with pytest.raises(codecreg.CheckpointError, match="has no config.json"):
        codecreg.load_codec(f"hf:{tmp_path}")


class _MakesMarker:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickled_weights_are_refused_without_being_run(hub_model, tmp_path):
    folder, marker = tmp_path / "model", tmp_path / "pwned"
    hub_model(ENCODEC).save_pretrained(folder)
    for weights in folder.glob("*.safetensors"):
        weights.unlink()
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"state": _MakesMarker(marker)}))
    with pytest.raises(codecreg.CheckpointError, match="no .safetensors weights.*never from a pickle"):
        codecreg.load_codec(f"hf:{folder}")
    assert not marker.exists()


def test_weights_that_do_not_fit_the_config_are_refused(hub_model, tmp_path):
    hub_model(ENCODEC).save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["target_bandwidths"] = [4.4]  # 8 codebooks: 4 of them have no weights
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(codecreg.CheckpointError, match="do not fit its config.json.*missing_keys"):
        codecreg.load_codec(f"hf:{tmp_path}")


def test_registration_and_sniffing_import_nothing_heavy(hub_model, tmp_path):
    hub_model(DAC).save_pretrained(tmp_path / "dac")
    shutil.copytree(tmp_path / "dac", tmp_path / "copy")
    script = textwrap.dedent(f"""
        import sys
        from codecreg_hf import registration
        specs = []
        registration.register_sources(register=specs.append)
        (spec,) = specs
        assert spec.name == "hf" and spec.status() == "ready"
        assert spec.claims({str(tmp_path / "copy")!r})
        assert not spec.claims({str(tmp_path)!r})
        heavy = sorted(m for m in ("torch", "transformers", "huggingface_hub") if m in sys.modules)
        assert not heavy, heavy
    """)
    subprocess.run([sys.executable, "-c", script], check=True)


_LOAD_TIMED = r"""
import json, sys, time
import codecreg
start = time.monotonic()
try:
    codecreg.load_codec(sys.argv[1])
    outcome = "loaded"
except codecreg.CheckpointError as error:
    outcome = str(error)
print(json.dumps({"seconds": time.monotonic() - start, "outcome": outcome}))
"""


@pytest.mark.parametrize("cached", [False, True], ids=["missing", "cached"])
def test_an_unreachable_hub_fails_fast_or_the_cache_serves(hub_model, tmp_path, cached):
    if cached:
        hub_model(ENCODEC).save_pretrained(tmp_path / "model")
        put_in_hf_cache(tmp_path / "model", ENCODEC, cache_dir=tmp_path / "hub")
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(HF_HOME=str(tmp_path), HF_ENDPOINT=f"http://127.0.0.1:{port}")  # read once, at import
    result = subprocess.run([sys.executable, "-c", _LOAD_TIMED, f"hf:{ENCODEC}"], env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # huggingface_hub's own retries take about 25 s; the bound leaves room for a loaded machine
    assert report["seconds"] < 15, f"took {report['seconds']:.1f} s"
    if cached:
        assert report["outcome"] == "loaded"
    else:
        assert f"the Hub could not be reached to download it (127.0.0.1:{port}:" in report["outcome"]
        assert f"`hf download {ENCODEC}`" in report["outcome"]


def test_loading_shows_no_progress_bars_and_leaves_the_setting_as_it_was(hub_model, tmp_path, capfd):
    from transformers.utils import logging

    hub_model(ENCODEC).save_pretrained(tmp_path)
    capfd.readouterr()
    assert logging.is_progress_bar_enabled()
    codecreg.load_codec(f"hf:{tmp_path}")
    assert "Loading weights" not in capfd.readouterr().err
    assert logging.is_progress_bar_enabled()
