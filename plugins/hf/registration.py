"""Registration of the hf plugin: specs only, no heavy imports."""

from codecreg import CodecSpec, SourceSpec, hookimpl

from .published import PUBLISHED

_REQUIRES = ("torch", "transformers", "huggingface_hub", "safetensors")
_INSTALL = "pip install 'codecreg[hf]'"
#: the feature extractors of XCodec2 and NeuCodec, and Higgs Audio's resampling, need torchaudio
_NEEDS_TORCHAUDIO = ("xcodec2", "neucodec", "higgs_audio_v2_tokenizer")


@hookimpl
def register_codecs(register):
    for name, published in PUBLISHED.items():
        register(CodecSpec(
            name=name, aliases=(published.repo,), factory=f"codecreg_hf.pretrained:{name}",
            description=published.description, notes=published.notes,
            sample_rate=published.sample_rate, channels=1, frame_rate=published.frame_rate,
            cardinality=published.cardinality, num_codebooks=published.codebooks,
            total_codebooks=published.codebooks, bandwidths=published.bandwidths,
            weights=f"Hugging Face Hub {published.repo} (transformers layout), through the Hub cache",
            requires=_REQUIRES + (("torchaudio",) if name in _NEEDS_TORCHAUDIO else ()), install=_INSTALL,
            options=("revision",), weights_check="codecreg_hf.published:published_weights_cached",
            test_weights="codecreg_hf.test_weights:recipe",
        ))


@hookimpl
def register_sources(register):
    register(SourceSpec(
        name="hf",
        factory="codecreg_hf.loader:load",
        description=("transformers' audio codecs and tokenizers (EnCodec, DAC, Mimi, X-Codec, XCodec2, "
                     "WavTokenizer, NeuCodec, Higgs Audio v2): hf:<repo id or folder>[@revision]"),
        requires=_REQUIRES,
        install=_INSTALL,
        claims_path="codecreg_hf.checkpoint_folder:is_transformers_tokenizer_folder",
        # every transformers folder loads here, but one a family's own plugin also claims
        # (EnCodec's, at the default 100) goes to that plugin
        priority=200,
    ))
