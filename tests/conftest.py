"""Session-wide test setup: no test may reach a network, and no test may touch the user's caches.

The Hugging Face variables must be set before huggingface_hub is imported,
because it reads them once at import.
"""

import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="codecreg-tests-home-")
os.environ["HF_HOME"] = os.path.join(_HOME, "huggingface")
os.environ.pop("HF_HUB_CACHE", None)
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["CODECREG_CACHE"] = os.path.join(_HOME, "codecreg")
os.environ.setdefault("CODECREG_STRICT_PLUGINS", "1")
