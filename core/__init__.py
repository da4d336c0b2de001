"""codecreg: a plugin registry of neural audio codecs and audio-file writers.

Importing codecreg imports neither torch nor any model library: listing reads
the plugins' light registration modules, and a codec's implementation is
imported when it is built with ``load_codec``.
"""

import warnings
from importlib import import_module

from .api import (codec_info, get_registry, get_writer, list_codecs, list_writers, load_codec,
                  register, reset_registry)
from .audio.writing.writer import AudioWriter
from .codec.compression import CompressionModel
from .errors import (AudioReadError, CheckpointError, CodecregError, DuplicateNameError, IncompatibleCodecError,
                     InvalidNameError, MissingDependencyError, NoDecoderError, PluginLoadError, UnknownNameError,
                     UnscorableError)
from .network import endpoint_unreachable
from .registry.compatibility import check_compatible
from .registry.hookspecs import hookimpl
from .registry.names import parse_int_option, parse_name
from .registry.specs import CodecSpec, MetricSpec, SourceSpec, WriterSpec, codebooks_for_bandwidth
from .version import __version__

# Public names whose modules need numpy or more: imported on first use.
_LAZY = {
    "audio_write": ".audio.writing.whole_file",
    "audio_read": ".audio.reading.whole_file",
    "convert_audio": ".audio.reading.conversion",
    "read_blocks": ".audio.reading.blocks",
    "AudioBlocks": ".audio.reading.blocks",
    "audio_write_stream": ".audio.writing.stream",
    "AudioStreamWriter": ".audio.writing.stream",
    "compare": ".study.comparison",
    "ComparisonTable": ".study.results",
    "save_codes": ".tokens.token_file",
    "load_codes": ".tokens.token_file",
    "TokenFile": ".tokens.token_file",
    "TokenFileError": ".tokens.token_file",
    "tokenize_dataset": ".dataset.job",
    "open_tokens": ".dataset.reading",
    # codes at several frame rates (SNAC), and tokenizers without a decoder (docs/plugins.md)
    "CodeLevels": ".codec.levels",
    "EncodeOnlyModel": ".codec.encode_only",
}


# Names that left __all__ for a submodule: they still import, with a DeprecationWarning.
_MOVED = {name: "codecreg.chunking" for name in (
    "StagedPlan", "SegmentedPlan", "SegmentLayout", "Convolutional", "Recurrent", "Stage", "receptive_context")}


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    if name in _MOVED:
        warnings.warn(f"codecreg.{name} moved to {_MOVED[name]}.{name}: import it from {_MOVED[name]} "
                      f"(the alias codecreg.{name} will be removed)", DeprecationWarning, stacklevel=2)
        return getattr(import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'codecreg' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY, *_MOVED})


__all__ = [
    "AudioReadError", "AudioWriter", "CheckpointError", "CodecSpec", "CodecregError", "CompressionModel",
    "DuplicateNameError", "IncompatibleCodecError", "InvalidNameError", "MetricSpec",
    "MissingDependencyError", "NoDecoderError", "PluginLoadError", "SourceSpec", "UnknownNameError", "UnscorableError", "WriterSpec",
    "__version__", "check_compatible", "codebooks_for_bandwidth", "codec_info", "endpoint_unreachable", "get_registry", "get_writer", "hookimpl",
    "list_codecs", "list_writers", "load_codec", "parse_int_option", "parse_name", "register", "reset_registry",
    *_LAZY,
]
