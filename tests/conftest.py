"""Session-wide test setup: no test may reach a network, and no test may touch the user's caches.

The Hugging Face variables must be set before huggingface_hub is imported,
because it reads them once at import. The temporary home goes when the session ends;
the test weights (``codecreg.testing.checkpoint_folder``) stay in the checkout's
``.cache/test-weights`` for the next run, one entry per codec and size.
"""

import os
import shutil
import tempfile
from pathlib import Path

_HOME = tempfile.mkdtemp(prefix="codecreg-tests-home-")
os.environ["HF_HOME"] = os.path.join(_HOME, "huggingface")
os.environ.pop("HF_HUB_CACHE", None)
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["CODECREG_CACHE"] = os.path.join(_HOME, "codecreg")
os.environ.setdefault("CODECREG_STRICT_PLUGINS", "1")
os.environ.setdefault("CODECREG_TEST_WEIGHTS", str(Path(__file__).resolve().parents[1] / ".cache" / "test-weights"))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_HOME, ignore_errors=True)
