"""Registration only: plain data, so `codecreg list` stays fast and torch-free.

S3Tokenizer (CosyVoice) turns 16 kHz speech into one stream of semantic tokens from a
4096-entry codebook; it has no decoder (CosyVoice speaks its tokens with a separate
flow-matching model), so it registers with ``has_decoder=False``.
"""

from codecreg import CodecSpec, hookimpl

#: codecreg name -> (the s3tokenizer package's model name, tokens per second)
MODELS = {
    "s3tokenizer_v1": ("speech_tokenizer_v1", 50.0),
    "s3tokenizer_v1_25hz": ("speech_tokenizer_v1_25hz", 25.0),
}


def weights_here(name: str) -> bool:
    from codecreg.checkpoints import cache_folder

    return (cache_folder("s3tokenizer") / f"{MODELS[name][0]}.onnx").is_file()


@hookimpl
def register_codecs(register):
    for name, (model, rate) in MODELS.items():
        register(CodecSpec(
            name=name, factory=f"codecreg_s3tokenizer.tokenizer:build_{name.removeprefix('s3tokenizer_')}",
            description=f"S3Tokenizer {model} (CosyVoice): semantic speech tokens at {rate:g}/s, encode only",
            sample_rate=16000, channels=1, frame_rate=rate, cardinality=4096, num_codebooks=1, total_codebooks=1,
            has_decoder=False,
            weights=f"the s3tokenizer package's {model}.onnx, cached in $CODECREG_CACHE/s3tokenizer",
            weights_check="codecreg_s3tokenizer.registration:weights_here",
            notes="semantic tokens for a language model (from a 128-band log-mel spectrogram); no decoder",
            requires=("torch", "s3tokenizer", "onnx"), install="pip install codecreg-s3tokenizer",
            test_weights="codecreg_s3tokenizer.test_weights:recipe",
        ))
