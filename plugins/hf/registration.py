"""Registration of the hf plugin: specs only, no heavy imports."""

from codecreg import hookimpl  # noqa: F401
