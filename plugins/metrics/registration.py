"""Registration of the metrics plugin: specs only, no heavy imports."""

from codecreg import hookimpl  # noqa: F401
