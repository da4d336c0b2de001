"""Registration of the encodec plugin: specs only, no heavy imports."""

from codecreg import hookimpl  # noqa: F401
