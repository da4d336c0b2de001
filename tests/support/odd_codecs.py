"""Two small codecs outside one grid, for core's own tests of multi-rate codes and encode-only tokenizers.

``TwoRateCodec``: 8 kHz mono, level 0 at 50 frames/s (the mean level of each 20 ms), level 1
at 100 frames/s with 2 codebooks (each 10 ms's mean and peak); packed, a coarse frame is
1 + 2 x 2 = 5 rows. ``MeanTokenizer``: 8 kHz, 50 tokens/s, no decoder.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from codecreg import CodeLevels, CompressionModel, EncodeOnlyModel

RATE, HOP = 8000, 80  # level 1's hop; level 0's is 2 x HOP
CARDINALITY = 64
LEVELS = CodeLevels((50.0, 100.0), (1, 2))


def _quantize(values: torch.Tensor) -> torch.Tensor:
    return ((values.clamp(-1, 1) + 1) / 2 * (CARDINALITY - 1)).round().long()


def _level(codes: torch.Tensor) -> torch.Tensor:
    return codes.float() / (CARDINALITY - 1) * 2 - 1


class TwoRateCodec(CompressionModel, nn.Module):
    def __init__(self) -> None:
        nn.Module.__init__(self)
        self.set_metadata(sample_rate=RATE, channels=1, frame_rate=50.0, cardinality=CARDINALITY,
                          total_codebooks=LEVELS.rows)
        self.set_code_levels(LEVELS)

    def frames_for(self, length: int) -> int:
        return -(-length // (2 * HOP))

    def encode(self, x):
        self.check_audio(x)
        frames = self.frames_for(x.shape[-1])
        padded = nn.functional.pad(x, (0, frames * 2 * HOP - x.shape[-1]))[:, 0]
        coarse = padded.reshape(x.shape[0], frames, 2 * HOP).abs().mean(-1) * 8 - 1  # [B, T']
        fine = padded.reshape(x.shape[0], frames * 2, HOP)
        levels = [_quantize(coarse)[:, None], torch.stack([_quantize(fine.mean(-1) * 8),
                                                           _quantize(fine.amax(-1) * 2 - 1)], dim=1)]
        return self.num_codebooks_of(LEVELS.pack(levels)), None

    def num_codebooks_of(self, codes):
        return codes[:, : self.num_codebooks]

    def decode_latent(self, codes):
        self.check_codes(codes)
        levels = LEVELS.unpack(codes)  # the coarse level alone, or both
        coarse = _level(levels[0]).repeat_interleave(2, dim=-1)
        fine = _level(levels[1]) if len(levels) == 2 else torch.zeros_like(coarse).repeat(1, 2, 1)
        return torch.cat([coarse, fine], dim=1)  # [B, 3, 2T']

    def decode(self, codes, scale=None, length=None):
        self.check_length(length)
        latent = self.decode_latent(codes)
        audio = (latent[:, 1:2] / 8 + torch.randn_like(latent[:, :1]) * 1e-3).repeat_interleave(HOP, dim=-1)
        return self.trim_to_length(audio, length)


class MeanTokenizer(EncodeOnlyModel, nn.Module):
    def __init__(self) -> None:
        nn.Module.__init__(self)
        self.set_metadata(sample_rate=RATE, channels=1, frame_rate=50.0, cardinality=CARDINALITY, total_codebooks=1)

    def frames_for(self, length: int) -> int:
        return -(-length // (2 * HOP))

    def encode(self, x):
        self.check_audio(x)
        frames = self.frames_for(x.shape[-1])
        padded = nn.functional.pad(x, (0, frames * 2 * HOP - x.shape[-1]))[:, 0]
        return _quantize(padded.reshape(x.shape[0], frames, 2 * HOP).mean(-1) * 8)[:, None], None


def build_two_rate(device="cpu"):
    return TwoRateCodec().to(device).eval()


def build_mean_tokenizer(device="cpu"):
    return MeanTokenizer().to(device).eval()


def install_plugin(root, monkeypatch_syspath) -> None:
    """Make ``odd_registration`` an installed distribution under ``root`` (put on ``sys.path`` with
    ``monkeypatch_syspath``), seen by this process's registry and by worker processes."""
    import importlib

    import codecreg

    info = root / "codecreg_odd_test-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: codecreg-odd-test\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[codecreg]\nodd = support.odd_registration\n")
    monkeypatch_syspath(str(root))
    importlib.invalidate_caches()
    codecreg.reset_registry()


@pytest.fixture(scope="module")
def odd_plugin(tmp_path_factory):
    """The odd codecs as an installed plugin while one test module runs: import it there and mark
    the module ``pytestmark = pytest.mark.usefixtures("odd_plugin")``."""
    import codecreg

    with pytest.MonkeyPatch.context() as patch:
        install_plugin(tmp_path_factory.mktemp("odd-site"), patch.syspath_prepend)
        yield
    codecreg.reset_registry()
