"""Encode-only tokenizers: codecs that declare they have no decoder.

A semantic tokenizer (S3Tokenizer, the speech tokenizer of CosyVoice) maps audio to
tokens for a language model and has no way back to audio. Such a codec declares it
twice: on its spec (``CodecSpec(has_decoder=False)``, known before building) and on
the model (``has_decoder = False``, what subclassing ``EncodeOnlyModel`` sets).
``encode``, ``codecreg encode`` and ``codecreg tokenize`` work as for any codec;
``decode``, ``TokenFile.decode``, ``codecreg decode`` and ``compare`` refuse it with
``NoDecoderError`` before any work: by the spec when the name is registered, by the
model otherwise, before a sample is decoded. Imports no torch.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..errors import NoDecoderError, UnknownNameError
from .compression import CompressionModel


class EncodeOnlyModel(CompressionModel):
    """A ``CompressionModel`` with no decoder: implement ``encode`` only.

    ``decode``, ``decode_latent`` and ``decode_stream`` raise ``NoDecoderError``. Declare
    ``has_decoder=False`` on the codec's spec too, so that callers refuse it unbuilt.
    """

    has_decoder = False

    def decode(self, codes: Any, scale: Any | None = None, length: Any = None) -> Any:
        raise no_decoder_error(self.name or type(self).__name__, "decode")

    def decode_latent(self, codes: Any) -> Any:
        raise no_decoder_error(self.name or type(self).__name__, "decode_latent")

    def decode_stream(self, blocks: Iterable[Any], length: int | None = None) -> Iterator[Any]:
        raise no_decoder_error(self.name or type(self).__name__, "decode_stream")


def no_decoder_error(name: str, what: str) -> NoDecoderError:
    return NoDecoderError(
        f"codec {name!r} is an encode-only tokenizer: it has no decoder, so it cannot {what}. Its tokens are "
        "for language models (`codecreg encode`, `codecreg tokenize`); to listen to or compare audio, "
        "choose a codec with a decoder (`codecreg list`)")


def check_decodable(codec: Any, what: str = "decode") -> None:
    """Refuse a built codec that declares no decoder."""
    if not getattr(codec, "has_decoder", True):
        raise no_decoder_error(getattr(codec, "name", "") or type(codec).__name__, what)


def check_decodable_name(name: str, what: str = "decode") -> None:
    """Refuse a registered codec name whose spec declares no decoder, without building it. A path or
    a source is known only once built: ``check_decodable`` checks it then."""
    from ..registry.loading import get_registry
    from ..registry.names import CODEC_OPTION_ALIASES, parse_name

    try:
        parsed = parse_name(name, CODEC_OPTION_ALIASES)
        if parsed.scheme is not None:
            return
        spec = get_registry().codec(parsed.target)
    except (UnknownNameError, ValueError):
        return  # loading it says what is wrong with the name
    if not spec.has_decoder:
        raise no_decoder_error(name, what)


__all__ = ["EncodeOnlyModel", "check_decodable", "check_decodable_name", "no_decoder_error"]
