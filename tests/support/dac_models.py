"""Seeded random-weight DAC models in the ``dac`` package's own checkpoint format.

No published weights can be downloaded in tests, so these builders make models at
the real architectures (or small ones with the same rates, sample rate and
codebooks, for fast tests), save them the way the published files were saved
(``DAC.save(path, package=False)``) and lay them out where the dac plugin looks
for a name's weights. Typical use::

    from support.dac_models import build_dac, save_dac, put_in_dac_cache

    model = build_dac("dac_24khz")                      # real size, seeded
    path = save_dac(model, tmp_path / "weights.pth")    # DAC's own format
    put_in_dac_cache(path, "dac_24khz")                 # load_codec("dac_24khz") finds it

A random DAC maps every frame to the same code, which would make code parity
trivial; ``seed_codebooks`` fills each codebook, level by level on the residuals,
with latent frames of a test signal in DAC's projected (codebook_dim) space, where
its cosine lookup happens, so codes vary from frame to frame.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dac
import torch
from codecreg.testing import synthetic_audio
from codecreg_dac.variants import PUBLISHED

_RATES_16_24 = dict(encoder_rates=[2, 4, 5, 8], decoder_rates=[8, 5, 4, 2])

#: keyword arguments of dac.DAC for each published model (dac.DAC() defaults are the 44.1 kHz one)
REAL_CONFIGS: dict[str, dict] = {
    "dac_44khz": {},
    "dac_44khz_16kbps": dict(n_codebooks=18),
    "dac_24khz": dict(_RATES_16_24, n_codebooks=32, sample_rate=24000),
    "dac_16khz": dict(_RATES_16_24, n_codebooks=12, sample_rate=16000),
}

#: narrow layers, same rates, sample rate and codebooks: thousands of times cheaper to run
SMALL_WIDTHS = dict(encoder_dim=4, decoder_dim=32)


def dac_config(name: str, small: bool = False) -> dict:
    """``dac.DAC`` keyword arguments of the published model ``name``, optionally narrowed."""
    return {**REAL_CONFIGS[name], **(SMALL_WIDTHS if small else {})}


def build_dac(name: str = "dac_44khz", small: bool = False, seed: int = 0, **overrides) -> dac.DAC:
    """A ``dac.DAC`` in eval mode, weights drawn from ``seed`` and codebooks seeded so codes vary."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = dac.DAC(**{**dac_config(name, small), **overrides}).eval()
    seed_codebooks(model, seed=seed)
    return model


@torch.no_grad()
def seed_codebooks(model: dac.DAC, seconds: float = 1.0, seed: int = 0, spread: float = 0.5) -> None:
    """Fill every codebook from the projected residual latent frames of a test signal.

    Each entry is a frame of the signal plus noise of ``spread`` times the frames'
    per-dimension deviation, so entries surround the frames a real signal produces.
    """
    generator = torch.Generator().manual_seed(seed)
    audio = synthetic_audio(1, int(seconds * model.sample_rate), model.sample_rate, seed=seed + 1000)
    residual = model.encoder(model.preprocess(audio, model.sample_rate))
    for quantizer in model.quantizer.quantizers:
        frames = quantizer.in_proj(residual)[0].T  # [T', codebook_dim]
        size = quantizer.codebook.weight.shape[0]
        picks = torch.randint(frames.shape[0], (size,), generator=generator)
        noise = torch.randn(size, frames.shape[1], generator=generator)
        quantizer.codebook.weight.copy_(frames[picks] + spread * frames.std(0) * noise)
        quantized = quantizer(residual)[0]
        residual = residual - quantized


def save_dac(model: dac.DAC, path: str | os.PathLike) -> Path:
    """Write ``model`` as the published files are written: ``DAC.save(path, package=False)``."""
    model.save(str(path), package=False)
    return Path(path)


def put_in_dac_cache(checkpoint: str | os.PathLike, name: str, cache_root: str | os.PathLike | None = None) -> Path:
    """Place ``checkpoint`` where the dac plugin looks for ``name``'s weights (hard link, or a copy).

    ``cache_root`` defaults to ``$CODECREG_CACHE`` (a temp dir in tests, set by tests/conftest.py).
    """
    root = Path(cache_root if cache_root is not None else os.environ["CODECREG_CACHE"])
    target = root / "dac" / PUBLISHED[name].filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(checkpoint, target)
    except OSError:
        shutil.copyfile(checkpoint, target)
    return target
