"""The Python API for codecs and writers by name; the functions live in ``registry/loading.py``."""

from .registry.loading import (codec_info, get_registry, get_writer, list_codecs, list_writers, load_codec,
                               register, reset_registry)

__all__ = ["codec_info", "get_registry", "get_writer", "list_codecs", "list_writers", "load_codec", "register",
           "reset_registry"]
