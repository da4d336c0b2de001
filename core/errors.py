"""Exceptions raised by codecreg. Each message says what was wrong and what to do."""


class CodecregError(Exception):
    """Base of every error codecreg raises on purpose."""


class InvalidNameError(CodecregError, ValueError):
    """A codec or writer name that does not follow the name grammar (docs/names.md)."""


class UnknownNameError(CodecregError, KeyError):
    """A name no installed plugin registers."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0])


class MissingDependencyError(CodecregError, ImportError):
    """A registered codec or writer whose plugin's dependencies are not installed."""


class DuplicateNameError(CodecregError):
    """Two plugins registered the same name."""


class PluginLoadError(CodecregError):
    """A plugin failed to load while strict mode (CODECREG_STRICT_PLUGINS=1) is on."""


class AudioReadError(CodecregError, ValueError):
    """An audio file that cannot be read (missing, not audio, truncated, a decoder's failure); names the file."""


class CheckpointError(CodecregError, ValueError):
    """A checkpoint that cannot be loaded safely or is not in a known format."""


class IncompatibleCodecError(CodecregError, ValueError):
    """A codec that does not fit what a language model expects of its tokenizer."""


class UnscorableError(CodecregError, ValueError):
    """A metric that cannot score this input (PESQ on silence or under 0.25 s): the study records why and goes on."""


class NoDecoderError(CodecregError, ValueError):
    """An encode-only tokenizer asked to decode: its codes cannot be turned back into audio."""
