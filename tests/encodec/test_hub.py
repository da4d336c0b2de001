"""The published names' Hub access when the Hub cannot be reached: the cache, or a clear error at once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from support.hf_cache import put_in_hf_cache

_CHILD = r"""
import json, sys, time
import codecreg
results = {}
for name in sys.argv[1:]:
    start = time.monotonic()
    try:
        codecreg.load_codec(name)
        outcome = "loaded"
    except codecreg.CheckpointError as error:
        outcome = str(error)
    results[name] = {"seconds": time.monotonic() - start, "outcome": outcome}
print(json.dumps(results))
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_with_unreachable_hub(hf_home, *names) -> dict:
    """``load_codec`` of each name in a fresh process whose Hub endpoint refuses connections
    (huggingface_hub reads HF_ENDPOINT and HF_HUB_OFFLINE once, at import)."""
    env = {key: value for key, value in os.environ.items() if key not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(HF_HOME=str(hf_home), HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
    result = subprocess.run([sys.executable, "-c", _CHILD, *names], env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_unreachable_hub_fails_fast_with_the_download_command_and_the_cache_still_works(
        small_transformers, tmp_path):
    _, folder = small_transformers
    put_in_hf_cache(folder, "facebook/encodec_32khz", cache_dir=tmp_path / "hub")
    results = load_with_unreachable_hub(tmp_path, "encodec_24khz", "encodec_32khz")

    missing = results["encodec_24khz"]
    assert missing["seconds"] < 15, f"took {missing['seconds']:.1f} s to say the Hub is unreachable"
    assert "the Hub could not be reached to download it (127.0.0.1:" in missing["outcome"]
    assert "`hf download facebook/encodec_24khz`" in missing["outcome"]

    cached = results["encodec_32khz"]
    assert cached["outcome"] == "loaded" and cached["seconds"] < 15


def test_listing_says_whether_the_weights_are_in_the_hub_cache(small_transformers, hub_cache):
    import codecreg

    assert codecreg.codec_info("encodec_32khz").status() == "ready, weights not downloaded yet"
    put_in_hf_cache(small_transformers[1], "facebook/encodec_32khz", cache_dir=hub_cache)
    assert codecreg.codec_info("encodec_32khz").status() == "ready"
    assert codecreg.codec_info("encodec_24khz").status() == "ready, weights not downloaded yet"
