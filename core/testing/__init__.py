"""Test tools for codec plugins: the contract kit, seeded test weights, parity up to near-ties.

    from codecreg.testing import CompressionModelContract

    class TestMyCodec(CompressionModelContract):
        codec_name = "my_codec"
        seeded_weights = "small"   # load it on the plugin's seeded test weights

The kit imports pytest and torch; a plugin's weight recipe imports ``TestWeights`` from here
without either (names are imported on first use).
"""

from importlib import import_module

_NAMES = {
    "CompressionModelContract": ".contract", "synthetic_audio": ".contract",
    "NEAR_TIE_FRACTION": ".near_ties", "NEAR_TIE_MARGIN": ".near_ties",
    "assert_codes_match_up_to_near_ties": ".near_ties", "count_near_tie_differences": ".near_ties",
    "near_tie_allowance": ".near_ties",
    "SeedableCodebook": ".seeding", "codebook_rows": ".seeding", "seed_residual_codebooks": ".seeding",
    "SIZES": ".weights", "TestWeights": ".weights", "checkpoint_folder": ".weights", "installed": ".weights",
    "load_test_codec": ".weights", "no_weights": ".weights", "recipe_for": ".weights",
}


def __getattr__(name):
    if name in _NAMES:
        return getattr(import_module(_NAMES[name], __name__), name)
    raise AttributeError(f"module 'codecreg.testing' has no attribute {name!r}")


__all__ = sorted(_NAMES)
