"""Registration of the encodec plugin: specs only, no heavy imports.

The codecs use every codebook by default (as audiocraft does); fewer are chosen
in the name (``encodec_24khz?bandwidth=6``) or with ``set_num_codebooks``.
"""

from codecreg import CodecSpec, SourceSpec, hookimpl

from .config import ENCODEC_24KHZ, ENCODEC_32KHZ, ENCODEC_48KHZ

_REQUIRES = ("torch", "huggingface_hub", "safetensors")
_INSTALL = "pip install 'codecreg[encodec]'"

_PUBLISHED = (
    ("encodec_32khz", ENCODEC_32KHZ, "EnCodec 32 kHz mono, MusicGen's tokenizer (4 codebooks, 2.2 kbps)"),
    ("encodec_24khz", ENCODEC_24KHZ, "EnCodec 24 kHz mono, causal, 1.5 to 24 kbps"),
    ("encodec_48khz", ENCODEC_48KHZ, "EnCodec 48 kHz stereo, renormalized 1 s segments, 3 to 24 kbps"),
)


@hookimpl
def register_codecs(register):
    for name, config, description in _PUBLISHED:
        register(CodecSpec(
            name=name,
            aliases=(f"facebook/{name}",),
            factory=f"codecreg_encodec.pretrained:{name}",
            description=description,
            sample_rate=config.sample_rate, channels=config.channels, frame_rate=config.frame_rate,
            cardinality=config.codebook_size, num_codebooks=config.num_codebooks,
            total_codebooks=config.num_codebooks, bandwidths=config.bandwidths,
            weights=f"Hugging Face Hub facebook/{name} (transformers layout), through the Hub cache",
            requires=_REQUIRES, install=_INSTALL, options=("revision",),
            weights_check="codecreg_encodec.hub_cache:published_weights_cached",
            test_weights="codecreg_encodec.test_weights:recipe",
        ))


@hookimpl
def register_sources(register):
    register(SourceSpec(
        name="encodec-transformers",
        factory="codecreg_encodec.transformers_format:from_path",
        claims_path="codecreg_encodec.sniffers:is_transformers_encodec_folder",
        description="a folder in transformers layout (config.json with model_type encodec + model.safetensors)",
        requires=_REQUIRES, install=_INSTALL,
    ))
    register(SourceSpec(
        name="encodec-package",
        factory="codecreg_encodec.package_format:from_target",
        claims_path="codecreg_encodec.sniffers:is_encodec_package_checkpoint",
        description=("an encodec package state dict (encodec_24khz-d7cc33bc.th): a path, a published "
                     "file name or its URL (downloaded to $CODECREG_CACHE/encodec, hash checked)"),
        requires=("torch",), install=_INSTALL,
    ))
    register(SourceSpec(
        name="audiocraft",
        factory="codecreg_encodec.audiocraft_format:from_path",
        claims_path="codecreg_encodec.sniffers:is_audiocraft_compression_checkpoint",
        description="audiocraft's compression_state_dict.bin (best_state + xp.cfg, or a pretrained name)",
        requires=("torch", "yaml"), install=_INSTALL,
    ))
