"""Level normalization before writing: the strategies of audiocraft's ``normalize_audio``, in numpy.

Strategies (``g`` is the gain applied, ``x`` the samples, levels in dBFS):

- ``peak``: ``g = 10**(-peak_clip_headroom_db/20) / max|x|``;
- ``rms``: ``g = 10**(-rms_headroom_db/20) / sqrt(mean(m**2))``, ``m`` the mean of the channels,
  then samples beyond [-1, 1] are clipped;
- ``loudness``: ``g = 10**((-loudness_headroom_db - L)/20)``, ``L`` the ITU-R BS.1770 integrated
  loudness in LUFS (``streaming_loudness``: pyloudnorm's within 1e-9 LU); optional ``tanh`` soft
  compressor; then clipped to [-1, 1];
- ``clip``: no gain; samples clipped to ``±10**(-peak_clip_headroom_db/20)``;
- ``none``: no gain; samples outside [-1, 1] are refused.

With ``normalize=False`` the peak, rms and loudness strategies apply no level
change except the gain that keeps the peak within the peak headroom,
``g = min(1, 10**(-peak_clip_headroom_db/20) / max|x|)``. Audio whose level is
below what any integer format can represent is written unscaled, so silence
never divides by zero.

The work is split so that a stream can do it in two passes: ``LevelMeter``
measures (``levels``), ``plan_gain`` turns the levels into a ``GainPlan``, and
``apply_gain`` applies it block by block; ``normalize_audio`` does the three
at once on a whole array, with the same samples as a result.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from ..arrays import peak_of
from .measures import LevelMeter, Levels

STRATEGIES = ("peak", "rms", "loudness", "clip", "none")
#: Half a 24-bit step (-144.5 dBFS): any level below it rounds to zero in every integer format.
SILENCE_LEVEL = 2.0 ** -24
#: audiocraft's floor: audio whose RMS over all samples is below it is not loudness-normalized.
LOUDNESS_ENERGY_FLOOR = 2e-3
#: BS.1770 gating blocks are 400 ms; shorter audio has no integrated loudness.
LOUDNESS_BLOCK_SECONDS = 0.4
#: BS.1770 channel weights are defined for up to five channels.
LOUDNESS_MAX_CHANNELS = 5

log = logging.getLogger(__name__)


def db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


def check_strategy(strategy: str) -> str:
    """The strategy name, with audiocraft's ``''`` read as ``'none'``; unknown names are refused."""
    strategy = "none" if strategy == "" else strategy
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown normalization strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    return strategy


@dataclass(frozen=True)
class GainPlan:
    """What to do to every sample: scale by ``gain``, then ``tanh`` if ``compress``, then clip to ``±limit``.

    ``limit`` None (strategy ``none``): no gain, and samples beyond [-1, 1] are refused.
    """

    gain: float = 1.0
    compress: bool = False
    limit: float | None = 1.0


def needs_levels(strategy: str) -> bool:
    """Whether ``strategy`` needs the whole signal measured before the first sample is written."""
    return check_strategy(strategy) in ("peak", "rms", "loudness")


def check_loudness_layout(strategy: str, sample_rate: int | None, channels: int, name: str = "audio") -> None:
    """Refuse, before any work, a loudness normalization that BS.1770 cannot measure."""
    if check_strategy(strategy) != "loudness":
        return
    if sample_rate is None:
        raise ValueError("strategy 'loudness' needs the sample_rate, to weight frequencies as BS.1770 does")
    if channels > LOUDNESS_MAX_CHANNELS:
        raise ValueError(
            f"{name}: BS.1770 loudness is defined for up to {LOUDNESS_MAX_CHANNELS} channels, got {channels}. "
            "Use strategy='rms' or 'peak' for this layout."
        )


def plan_gain(levels: Levels | None, normalize: bool = True, strategy: str = "peak",
              peak_clip_headroom_db: float = 1, rms_headroom_db: float = 18, loudness_headroom_db: float = 14,
              loudness_compressor: bool = False, sample_rate: int | None = None,
              name: str = "audio") -> GainPlan:
    """The plan for ``strategy``; ``levels`` (from ``LevelMeter``) may be None for ``clip`` and ``none``."""
    strategy = check_strategy(strategy)
    peak_limit = db_to_gain(-peak_clip_headroom_db)
    if strategy == "none":
        return GainPlan(limit=None)
    if strategy == "clip":
        return GainPlan(limit=peak_limit)
    if levels is None:
        raise ValueError(f"strategy {strategy!r} needs the levels of the whole signal (a LevelMeter's)")
    peak = levels.peak
    if not normalize:
        gain = min(1.0, peak_limit / peak) if peak >= SILENCE_LEVEL else 1.0
    elif strategy == "peak":
        gain = _gain_to(peak_limit, peak, "peak", name)
    elif strategy == "rms":
        gain = _gain_to(db_to_gain(-rms_headroom_db), levels.mono_rms, "RMS", name)
    else:
        gain = _loudness_gain(levels, sample_rate, loudness_headroom_db, name)
    return GainPlan(gain=gain, compress=strategy == "loudness" and normalize and loudness_compressor)


def apply_gain(block: np.ndarray, plan: GainPlan, clipping: "ClippingTally") -> np.ndarray:
    """``block`` with ``plan`` applied (``block`` itself when nothing changes); never modified in place."""
    if plan.limit is None:
        peak = peak_of(block)
        if peak > 1:
            raise ValueError(
                f"{clipping.name}: samples reach {peak:.4g}, outside [-1, 1], and strategy is 'none'. "
                "Use strategy='clip' to clip them, or 'peak' (or normalize=False) to scale them down."
            )
        return block
    if plan.gain != 1.0:
        block = block * np.float32(plan.gain)
    if plan.compress:
        block = np.tanh(block)
    return clipping.clip(block, plan.limit)


class ClippingTally:
    """Clips blocks to a limit and counts what it clipped, to report once for the whole signal."""

    def __init__(self, name: str = "audio") -> None:
        self.name = name
        self.samples = 0
        self.clipped = 0
        self.peak = 0.0
        self.limit = 1.0

    def clip(self, block: np.ndarray, limit: float) -> np.ndarray:
        self.samples += block.size
        self.limit = limit
        peak = peak_of(block)  # NaN and infinity are refused here for clip, as the meter does for the others
        if peak <= limit:
            return block
        self.clipped += int(np.count_nonzero(np.abs(block) > limit))
        self.peak = max(self.peak, peak)
        return np.clip(block, -limit, limit)

    def log(self) -> None:
        """A warning naming the stream and how much was clipped, if anything was."""
        if self.clipped:
            log.warning("clipping %s: %d of %d samples (%.3g%%) beyond ±%.4g, peak %.4g (%.2f dB over)",
                        self.name, self.clipped, self.samples, 100.0 * self.clipped / self.samples, self.limit,
                        self.peak, 20.0 * math.log10(self.peak / self.limit))


def normalize_audio(wav: np.ndarray, normalize: bool = True, strategy: str = "peak",
                    peak_clip_headroom_db: float = 1, rms_headroom_db: float = 18,
                    loudness_headroom_db: float = 14, loudness_compressor: bool = False,
                    log_clipping: bool = False, sample_rate: int | None = None,
                    stem_name: str | None = None) -> np.ndarray:
    """``wav`` (float32 ``[C, T]``, finite) scaled and clipped by ``strategy``; see the module docstring.

    Never modifies ``wav`` in place. Raises ValueError for NaN or infinite samples.
    """
    strategy = check_strategy(strategy)
    name = stem_name or "audio"
    levels = None
    if needs_levels(strategy):
        if strategy == "loudness" and normalize:
            check_loudness_layout(strategy, sample_rate, wav.shape[0], name)
        meter = LevelMeter(wav.shape[0], sample_rate, loudness=strategy == "loudness" and normalize)
        meter.add(wav)
        levels = meter.levels()
    plan = plan_gain(levels, normalize, strategy, peak_clip_headroom_db, rms_headroom_db, loudness_headroom_db,
                     loudness_compressor, sample_rate, name)
    clipping = ClippingTally(name)
    out = apply_gain(wav, plan, clipping)
    if log_clipping:
        clipping.log()
    return out


def _gain_to(target: float, level: float, what: str, name: str) -> float:
    if level < SILENCE_LEVEL:
        log.info("%s: %s %.3g is digital silence; written without gain", name, what, level)
        return 1.0
    return target / level


def _loudness_gain(levels: Levels, sample_rate: int | None, headroom_db: float, name: str) -> float:
    if levels.rms < LOUDNESS_ENERGY_FLOOR:
        log.info("%s: RMS %.3g is below the loudness floor %g; written without gain",
                 name, levels.rms, LOUDNESS_ENERGY_FLOOR)
        return 1.0
    if levels.frames < LOUDNESS_BLOCK_SECONDS * sample_rate:
        log.warning("%s: %.3f s is shorter than one %g s BS.1770 block, so it has no integrated "
                    "loudness; written without gain", name, levels.frames / sample_rate, LOUDNESS_BLOCK_SECONDS)
        return 1.0
    if not np.isfinite(levels.loudness):
        log.warning("%s: every block is below the -70 LUFS gate; written without gain", name)
        return 1.0
    return db_to_gain(-headroom_db - levels.loudness)
