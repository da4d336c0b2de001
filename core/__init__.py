"""codecreg: a plugin registry of neural audio codecs and audio-file writers.

Importing codecreg imports neither torch nor any model library: listing reads
the plugins' light registration modules, and a codec's implementation is
imported when it is built with ``load_codec``.
"""

from importlib import import_module

from .api import (codec_info, get_registry, get_writer, list_codecs, list_writers, load_codec,
                  register, reset_registry)
from .audio.writer import AudioWriter
from .codec.compression import CompressionModel
from .errors import (AudioReadError, CheckpointError, CodecregError, DuplicateNameError, IncompatibleCodecError,
                     InvalidNameError, MissingDependencyError, PluginLoadError, UnknownNameError, UnscorableError)
from .network import endpoint_unreachable
from .registry.compatibility import check_compatible
from .registry.hookspecs import hookimpl
from .registry.names import parse_int_option, parse_name
from .registry.specs import CodecSpec, MetricSpec, SourceSpec, WriterSpec, codebooks_for_bandwidth
from .version import __version__

# Public names whose modules need numpy or more: imported on first use.
_LAZY = {
    "audio_write": ".audio.writing",
    "audio_read": ".audio.reading",
    "convert_audio": ".audio.conversion",
    "read_blocks": ".audio.block_reading",
    "AudioBlocks": ".audio.block_reading",
    "audio_write_stream": ".audio.stream_writing",
    "AudioStreamWriter": ".audio.stream_writing",
    "compare": ".study.comparison",
    "ComparisonTable": ".study.results",
    "save_codes": ".tokens.token_file",
    "load_codes": ".tokens.token_file",
    "TokenFile": ".tokens.token_file",
    "TokenFileError": ".tokens.token_file",
    # what a codec declares to code long audio exactly in chunks (docs/long-audio.md)
    "StagedPlan": ".codec.coding_plan",
    "SegmentedPlan": ".codec.coding_plan",
    "SegmentLayout": ".codec.segments",
    "Convolutional": ".codec.stages",
    "Recurrent": ".codec.stages",
    "Stage": ".codec.stages",
    "receptive_context": ".codec.stages",
    "tokenize_dataset": ".dataset.job",
    "open_tokens": ".dataset.reading",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'codecreg' has no attribute {name!r}")


__all__ = [
    "AudioReadError", "AudioWriter", "CheckpointError", "CodecSpec", "CodecregError", "CompressionModel",
    "DuplicateNameError", "IncompatibleCodecError", "InvalidNameError", "MetricSpec",
    "MissingDependencyError", "PluginLoadError", "SourceSpec", "UnknownNameError", "UnscorableError", "WriterSpec",
    "__version__", "check_compatible", "codebooks_for_bandwidth", "codec_info", "endpoint_unreachable", "get_registry", "get_writer", "hookimpl",
    "list_codecs", "list_writers", "load_codec", "parse_int_option", "parse_name", "register", "reset_registry",
    *_LAZY,
]
