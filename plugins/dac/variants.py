"""The DAC weights Descript publishes, as the package's own table lists them.

Source: ``dac/utils/__init__.py`` (``__MODEL_LATEST_TAGS__`` and ``__MODEL_URLS__``)
of descript-audio-codec 1.0.0. Pure data, so the registration module can describe
every codec without importing torch. The bitrate labels are Descript's; the real
bitrate follows from the frame rate and the codebooks (the 16 kHz "8kbps" model
carries 12 x 10 bits x 50 Hz = 6 kbps).
"""

from __future__ import annotations

from dataclasses import dataclass

_RELEASES = "https://github.com/descriptinc/descript-audio-codec/releases/download"


@dataclass(frozen=True)
class PublishedWeights:
    """One published checkpoint and the model it holds."""

    name: str  # the codecreg name
    model_type: str  # the package's model type: "44khz", "24khz", "16khz"
    label: str  # the package's bitrate label: "8kbps", "16kbps"
    tag: str  # the GitHub release holding the file
    url: str
    sample_rate: int
    hop: int
    codebooks: int
    codebook_size: int = 1024

    @property
    def filename(self) -> str:
        """The name the ``dac`` package caches it under, so a copy of its cache just works."""
        return f"weights_{self.model_type}_{self.label}_{self.tag}.pth"

    @property
    def frame_rate(self) -> float:
        return self.sample_rate / self.hop


PUBLISHED: dict[str, PublishedWeights] = {variant.name: variant for variant in (
    PublishedWeights("dac_44khz", "44khz", "8kbps", "0.0.1", f"{_RELEASES}/0.0.1/weights.pth",
                     sample_rate=44100, hop=512, codebooks=9),
    PublishedWeights("dac_44khz_16kbps", "44khz", "16kbps", "1.0.0",
                     f"{_RELEASES}/1.0.0/weights_44khz_16kbps.pth",
                     sample_rate=44100, hop=512, codebooks=18),
    PublishedWeights("dac_24khz", "24khz", "8kbps", "0.0.4", f"{_RELEASES}/0.0.4/weights_24khz.pth",
                     sample_rate=24000, hop=320, codebooks=32),
    PublishedWeights("dac_16khz", "16khz", "8kbps", "0.0.5", f"{_RELEASES}/0.0.5/weights_16khz.pth",
                     sample_rate=16000, hop=320, codebooks=12),
)}
