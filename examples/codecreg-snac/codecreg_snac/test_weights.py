"""Seeded SNAC checkpoints in the published layout (config.json + pytorch_model.bin, a Hub snapshot).

``real`` is the published config of each model (19.8 M parameters at 24 kHz, 54.5 M at 32 and
44.1 kHz); ``small`` keeps everything the codes' numbers depend on (rates, hops, strides, the
attention window, 4096 x 8 codebooks) with narrow layers. Each level's codebook is seeded in
order from the vectors it receives on a test signal, so codes vary frame to frame.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from codecreg.testing import TestWeights

from .registration import repo_of

_COMMON = dict(codebook_size=4096, codebook_dim=8, noise=True, depthwise=True)
REAL = {
    "snac_24khz": dict(_COMMON, sampling_rate=24000, encoder_dim=48, encoder_rates=[2, 4, 8, 8], decoder_dim=1024,
                       decoder_rates=[8, 8, 4, 2], attn_window_size=None, vq_strides=[4, 2, 1]),
    "snac_32khz": dict(_COMMON, sampling_rate=32000, encoder_dim=64, encoder_rates=[2, 3, 8, 8], decoder_dim=1536,
                       decoder_rates=[8, 8, 3, 2], attn_window_size=32, vq_strides=[8, 4, 2, 1]),
    "snac_44khz": dict(_COMMON, sampling_rate=44100, encoder_dim=64, encoder_rates=[2, 3, 8, 8], decoder_dim=1536,
                       decoder_rates=[8, 8, 3, 2], attn_window_size=32, vq_strides=[8, 4, 2, 1]),
}
#: narrow: the encoder ends 128 wide (two attention heads of 64), the decoder starts 64 wide (one)
SMALL = dict(encoder_dim=8, decoder_dim=64)


def recipe(name: str, size: str) -> TestWeights:
    config = {**REAL[name], **(SMALL if size == "small" else {})}
    return TestWeights(config=config, build=partial(save_seeded, config), hub_repo=repo_of(name),
                       libraries=("torch", "snac"))


def seeded_model(config: dict, seed: int = 0):
    """SNAC at ``config`` with seeded weights and codebooks seeded from a test signal."""
    import torch
    from snac import SNAC

    from codecreg.audio.synthetic import synthetic_audio
    from codecreg.testing import SeedableCodebook, seed_residual_codebooks

    torch.manual_seed(seed)
    model = SNAC(**config).eval()
    audio = torch.from_numpy(synthetic_audio(1, 3 * config["sampling_rate"], config["sampling_rate"], seed=seed))
    with torch.no_grad():
        latent = model.encoder(model.preprocess(audio))

    def codebook(vq):
        def project(residual):
            if vq.stride > 1:
                residual = torch.nn.functional.avg_pool1d(residual, vq.stride, vq.stride)
            return vq.in_proj(residual)
        return SeedableCodebook(size=vq.codebook_size, write=vq.codebook.weight.copy_, project=project,
                                quantize=lambda residual: vq(residual)[0])

    seed_residual_codebooks(latent, [codebook(vq) for vq in model.quantizer.quantizers], seed=seed)
    return model


def save_seeded(config: dict, folder: Path) -> None:
    import json

    import torch

    model = seeded_model(config)
    (Path(folder) / "config.json").write_text(json.dumps(config, indent=2))
    torch.save(model.state_dict(), Path(folder) / "pytorch_model.bin")
