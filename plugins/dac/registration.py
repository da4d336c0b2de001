"""Registration of the dac plugin: specs only, no heavy imports.

The ``dac`` package (and torch) are imported when a DAC codec is built, never here.
"""

from codecreg import CodecSpec, SourceSpec, hookimpl

from .variants import PUBLISHED

_REQUIRES = ("torch", "dac")  # dac: for impl=package and the test weights
_INSTALL = "pip install 'codecreg[dac]'"
_OPTIONS = ("channels", "impl")  # the options codecreg_dac.factory parses


@hookimpl
def register_codecs(register):
    for variant in PUBLISHED.values():
        register(CodecSpec(
            name=variant.name,
            factory=f"codecreg_dac.factory:{variant.name}",
            description=(f"Descript Audio Codec {variant.sample_rate / 1000:g} kHz "
                         f"(published as {variant.model_type} {variant.label})"),
            sample_rate=variant.sample_rate, channels=1, frame_rate=variant.frame_rate,
            cardinality=variant.codebook_size, num_codebooks=variant.codebooks,
            total_codebooks=variant.codebooks,
            weights=f"GitHub release {variant.tag} ({variant.url}), cached as $CODECREG_CACHE/dac/{variant.filename}",
            requires=_REQUIRES, install=_INSTALL, options=_OPTIONS,
            weights_check="codecreg_dac.weights:published_weights_cached",
            test_weights="codecreg_dac.test_weights:recipe",
        ))


@hookimpl
def register_sources(register):
    register(SourceSpec(
        name="dac",
        factory="codecreg_dac.factory:from_checkpoint",
        claims_path="codecreg_dac.sniff:is_dac_checkpoint",
        description="a DAC checkpoint file as DAC.save(path, package=False) writes it (dac:PATH or a bare path)",
        requires=_REQUIRES, install=_INSTALL, options=_OPTIONS,
    ))
