"""Registration of the dac plugin: specs only, no heavy imports."""

from codecreg import hookimpl  # noqa: F401
