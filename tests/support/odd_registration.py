"""The registration of tests/support/odd_codecs.py: plain data, as a plugin's must be (no torch).

Installed for a test as a distribution on ``sys.path`` (``odd_plugin`` in tests/core/conftest.py), so
that ``tokenize``'s worker processes discover it too.
"""

from codecreg import CodecSpec, hookimpl

SPECS = (
    CodecSpec(name="tworate_8khz", factory="support.odd_codecs:build_two_rate", sample_rate=8000, channels=1,
              frame_rate=50.0, cardinality=64, num_codebooks=5, total_codebooks=5,
              level_frame_rates=(50.0, 100.0), level_codebooks=(1, 2), requires=("torch",),
              test_weights="codecreg.testing:no_weights", description="test: two levels at 50 and 100 frames/s"),
    CodecSpec(name="meantokens_8khz", factory="support.odd_codecs:build_mean_tokenizer", sample_rate=8000,
              channels=1, frame_rate=50.0, cardinality=64, num_codebooks=1, total_codebooks=1,
              has_decoder=False, requires=("torch",), test_weights="codecreg.testing:no_weights",
              description="test: an encode-only tokenizer"),
)


@hookimpl
def register_codecs(register):
    for spec in SPECS:
        register(spec)
