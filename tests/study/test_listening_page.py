"""The listening page opens from disk in headless Chromium: every player loads, nothing fails.

Needs Debian's chromium (`apt-get install -y chromium`); skipped, saying so, when it is absent.
The screenshot is kept as an artifact: artifacts/study/listening_page.png.
"""

import time
from pathlib import Path

import pytest

from .headless_chromium import Chromium, find_chromium

CHROMIUM = find_chromium()
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found: install Debian's "
                                                          "package with `apt-get install -y chromium`")]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "study"
MEDIA_STATE = """[...document.querySelectorAll('audio')].map(a => ({
    src: a.getAttribute('src'), ready: a.readyState, error: a.error ? a.error.code : null, duration: a.duration}))"""
IMAGE_STATE = "[...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}))"


def media_states(browser: Chromium, timeout: float = 20.0) -> list[dict]:
    """The audio elements' states once each has loaded its metadata or failed (or at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        states = browser.evaluate(MEDIA_STATE)
        if all(s["ready"] >= 1 or s["error"] for s in states) or time.monotonic() > deadline:
            return states
        time.sleep(0.1)


def test_every_player_loads_and_the_console_stays_clean(study):
    _, out = study
    with Chromium(CHROMIUM) as browser:
        browser.open(out / "index.html")
        states = media_states(browser)
        images = browser.evaluate(IMAGE_STATE)
        errors = browser.console_errors()
        shot = browser.screenshot(ARTIFACTS / "listening_page.png")

    assert len(states) == 2 * 3  # two inputs: the original and two settings each
    seconds = {"speech": 1.2, "music": 0.8}
    for state in states:
        assert state["error"] is None and state["ready"] >= 1, state
        assert state["duration"] == pytest.approx(seconds[state["src"].split("/")[1]], abs=0.01), state
    # the rate-distortion plot, a rate-quality plot per metric, a spectrogram per input
    assert len(images) == 1 + 3 + 2 and all(image["ok"] for image in images), images
    assert errors == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_check_sees_a_broken_player(study):
    """The same check on a page with a missing file fails, so the test above can fail."""
    _, out = study
    broken = out / "broken.html"
    broken.write_text((out / "index.html").read_text().replace("original.wav", "missing.wav", 1))
    with Chromium(CHROMIUM) as browser:
        browser.open(broken)
        states = media_states(browser)
        errors = browser.console_errors()
    failed = [s for s in states if s["error"]]
    assert [s["src"] for s in failed] == ["audio/music/missing.wav"]
    assert errors and "missing.wav" in " ".join(errors)
