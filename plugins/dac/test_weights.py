"""Seeded test weights for the registered DAC names, as the published files are written
(``DAC.save(path, package=False)``) and where the names look for them
(``$CODECREG_CACHE/dac/<file>``). ``small`` keeps each model's rates, sample rate and
codebooks with narrow layers; ``real`` is the published architecture.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from codecreg.testing import TestWeights

from .variants import PUBLISHED

_RATES_16_24 = dict(encoder_rates=[2, 4, 5, 8], decoder_rates=[8, 5, 4, 2])
#: keyword arguments of dac.DAC for each published model (dac.DAC() defaults are the 44.1 kHz one)
DAC_CONFIGS: dict[str, dict[str, Any]] = {
    "dac_44khz": {},
    "dac_44khz_16kbps": dict(n_codebooks=18),
    "dac_24khz": dict(_RATES_16_24, n_codebooks=32, sample_rate=24000),
    "dac_16khz": dict(_RATES_16_24, n_codebooks=12, sample_rate=16000),
}
#: narrow layers, same rates, sample rate and codebooks: thousands of times cheaper to run
SMALL_WIDTHS = dict(encoder_dim=4, decoder_dim=32)


def dac_config(name: str, size: str = "real") -> dict[str, Any]:
    """``dac.DAC`` keyword arguments of the published model ``name`` at ``size``."""
    return {**DAC_CONFIGS[name], **(SMALL_WIDTHS if size == "small" else {})}


def recipe(name: str, size: str) -> TestWeights:
    config = dac_config(name, size)
    return TestWeights(config=config, build=partial(save_seeded, config, PUBLISHED[name].filename),
                       cache_file=f"dac/{PUBLISHED[name].filename}", libraries=("torch", "descript-audio-codec"))


def save_seeded(config: dict[str, Any], filename: str, folder: Path) -> None:
    seeded_dac(config).save(str(folder / filename), package=False)


def seeded_dac(config: dict[str, Any], seed: int = 0):
    """A ``dac.DAC`` in eval mode, weights from ``seed``, every codebook seeded in DAC's projected
    (codebook_dim) space, where its cosine lookup happens, so codes vary from frame to frame."""
    import dac
    import torch

    from codecreg.testing import SeedableCodebook, seed_residual_codebooks, synthetic_audio

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = dac.DAC(**config).eval()
    audio = synthetic_audio(1, model.sample_rate, model.sample_rate, seed=seed + 1000)
    with torch.no_grad():
        seed_residual_codebooks(model.encoder(model.preprocess(audio, model.sample_rate)), [
            SeedableCodebook(quantizer.codebook.weight.shape[0], quantizer.codebook.weight.copy_,
                             lambda residual, quantizer=quantizer: quantizer(residual)[0],
                             project=quantizer.in_proj)
            for quantizer in model.quantizer.quantizers], seed=seed, spread=0.5)
    return model
