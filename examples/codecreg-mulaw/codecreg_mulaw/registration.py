"""Registration only: plain data, so `codecreg list` stays fast and torch-free."""

from codecreg import CodecSpec, hookimpl


@hookimpl
def register_codecs(register):
    for rate in (8000, 16000):
        register(CodecSpec(
            name=f"mulaw_{rate // 1000}khz",
            factory=f"codecreg_mulaw.codec:build_{rate // 1000}khz",
            description=f"8-bit mu-law companding at {rate} Hz (G.711-style), one code per sample",
            sample_rate=rate, channels=1, frame_rate=float(rate), cardinality=256,
            num_codebooks=1, total_codebooks=1,
            weights="none: a fixed formula",
            requires=("torch",), install="pip install codecreg-mulaw",
            test_weights="codecreg.testing:no_weights",  # a formula: the kit needs no weights built
        ))
