"""codecreg's own plugin: the debug codec. Registered through an entry point like any other."""

from .hookspecs import hookimpl
from .specs import CodecSpec


@hookimpl
def register_codecs(register):
    register(CodecSpec(
        name="debug_compression_model",
        aliases=("debug",),
        factory="codecreg.codec.debug_codec:build",
        description="tiny deterministic codec for demos and tests (audiocraft's debug geometry)",
        sample_rate=32000, channels=1, frame_rate=25.0, cardinality=400,
        num_codebooks=4, total_codebooks=4,
        weights="built from a fixed seed, no download",
        requires=("torch",), install="pip install 'codecreg[torch]'",
        options=("channels",),
        test_weights="codecreg.testing:no_weights",
    ))
