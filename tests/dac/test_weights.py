"""The cache folder of published weights: found by name, fetched when missing, clear when it cannot be."""

import functools
import http.server
import threading
from pathlib import Path

import pytest
import torch

import codecreg
from codecreg import CheckpointError
from codecreg.testing import synthetic_audio
from codecreg_dac import weights
from codecreg_dac.variants import PUBLISHED
from support.dac_models import put_in_dac_cache


@pytest.fixture
def cache_root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CODECREG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def file_server(tmp_path):
    """A local HTTP server over a folder: ``(folder, base_url)``."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_weights_path_follows_codecreg_cache(cache_root):
    assert weights.weights_path(PUBLISHED["dac_44khz"]) == cache_root / "dac" / "weights_44khz_8kbps_0.0.1.pth"


def test_offline_and_missing_names_the_file_and_how_to_provide_it(cache_root, monkeypatch):
    monkeypatch.setenv("CODECREG_OFFLINE", "1")
    with pytest.raises(CheckpointError) as error:
        codecreg.load_codec("dac_24khz")
    message = str(error.value)
    expected = cache_root / "dac" / "weights_24khz_8kbps_0.0.4.pth"
    assert str(expected) in message and "downloads are off" in message
    assert PUBLISHED["dac_24khz"].url in message and "~/.cache/descript/dac" in message
    assert not expected.exists()


def test_unreachable_download_names_the_file_and_leaves_nothing(cache_root, file_server):
    _, base_url = file_server
    variant = PUBLISHED["dac_16khz"]
    unreachable = type(variant)(**{**variant.__dict__, "url": f"{base_url}/no/such/weights.pth"})
    with pytest.raises(CheckpointError, match=r"downloading it failed: HTTP Error 404") as error:
        weights.local_weights(unreachable)
    assert str(weights.weights_path(variant)) in str(error.value)
    assert not (cache_root / "dac").exists() or not any((cache_root / "dac").iterdir())


def test_missing_weights_are_downloaded_once_then_read_from_the_cache(cache_root, file_server, dac_checkpoint,
                                                                      monkeypatch):
    folder, base_url = file_server
    (folder / "weights_16khz.pth").write_bytes(dac_checkpoint("dac_16khz").read_bytes())
    variant = PUBLISHED["dac_16khz"]
    monkeypatch.setitem(PUBLISHED, "dac_16khz",
                        type(variant)(**{**variant.__dict__, "url": f"{base_url}/weights_16khz.pth"}))

    codec = codecreg.load_codec("dac_16khz")
    cached = cache_root / "dac" / variant.filename
    assert cached.read_bytes() == dac_checkpoint("dac_16khz").read_bytes()
    assert [path.name for path in cached.parent.iterdir()] == [variant.filename]  # no partial file left

    (folder / "weights_16khz.pth").unlink()  # a second load must not need the server
    monkeypatch.setenv("CODECREG_OFFLINE", "1")
    audio = synthetic_audio(1, 8000, 16000)
    assert torch.equal(codecreg.load_codec("dac_16khz").encode(audio)[0], codec.encode(audio)[0])


def test_a_file_of_another_model_under_a_name_is_refused(cache_root, dac_checkpoint):
    put_in_dac_cache(dac_checkpoint("dac_24khz"), "dac_16khz")
    with pytest.raises(CheckpointError, match="sample rate 24000.*dac_16khz is 16000"):
        codecreg.load_codec("dac_16khz")


def test_listing_says_whether_the_published_weights_are_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("CODECREG_CACHE", str(tmp_path))
    spec = codecreg.codec_info("dac_24khz")
    assert spec.status() == "ready, weights not downloaded yet"
    (tmp_path / "dac").mkdir()
    (tmp_path / "dac" / PUBLISHED["dac_24khz"].filename).write_bytes(b"")
    assert spec.status() == "ready"
    assert codecreg.codec_info("dac_44khz").status() == "ready, weights not downloaded yet"
