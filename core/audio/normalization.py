"""Level normalization before writing: the strategies of audiocraft's ``normalize_audio``, in numpy.

Strategies (``g`` is the gain applied, ``x`` the samples, levels in dBFS):

- ``peak``: ``g = 10**(-peak_clip_headroom_db/20) / max|x|``;
- ``rms``: ``g = 10**(-rms_headroom_db/20) / sqrt(mean(m**2))``, ``m`` the mean of the channels,
  then samples beyond [-1, 1] are clipped;
- ``loudness``: ``g = 10**((-loudness_headroom_db - L)/20)``, ``L`` the ITU-R BS.1770 integrated
  loudness in LUFS (pyloudnorm); optional ``tanh`` soft compressor; then clipped to [-1, 1];
- ``clip``: no gain; samples clipped to ``±10**(-peak_clip_headroom_db/20)``;
- ``none``: no gain; samples outside [-1, 1] are refused.

With ``normalize=False`` the peak, rms and loudness strategies apply no level
change except the gain that keeps the peak within the peak headroom,
``g = min(1, 10**(-peak_clip_headroom_db/20) / max|x|)``. Audio whose level is
below what any integer format can represent is written unscaled, so silence
never divides by zero.
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import MissingDependencyError
from .arrays import peak_of

STRATEGIES = ("peak", "rms", "loudness", "clip", "none")
#: Half a 24-bit step (-144.5 dBFS): any level below it rounds to zero in every integer format.
SILENCE_LEVEL = 2.0 ** -24
#: audiocraft's floor: audio whose RMS over all samples is below it is not loudness-normalized.
LOUDNESS_ENERGY_FLOOR = 2e-3
#: BS.1770 gating blocks are 400 ms; shorter audio has no integrated loudness.
LOUDNESS_BLOCK_SECONDS = 0.4
#: BS.1770 channel weights are defined for up to five channels (pyloudnorm's limit).
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


def normalize_audio(wav: np.ndarray, normalize: bool = True, strategy: str = "peak",
                    peak_clip_headroom_db: float = 1, rms_headroom_db: float = 18,
                    loudness_headroom_db: float = 14, loudness_compressor: bool = False,
                    log_clipping: bool = False, sample_rate: int | None = None,
                    stem_name: str | None = None) -> np.ndarray:
    """``wav`` (float32 ``[C, T]``, finite) scaled and clipped by ``strategy``; see the module docstring.

    Never modifies ``wav`` in place. Raises ValueError for NaN or infinite samples.
    """
    strategy = check_strategy(strategy)
    peak = peak_of(wav)
    peak_limit = db_to_gain(-peak_clip_headroom_db)
    name = stem_name or "audio"
    if strategy == "none":
        if peak > 1:
            raise ValueError(
                f"{name}: samples reach {peak:.4g}, outside [-1, 1], and strategy is 'none'. "
                "Use strategy='clip' to clip them, or 'peak' (or normalize=False) to scale them down."
            )
        return wav
    if strategy == "clip":
        return _clip(wav, peak, peak_limit, log_clipping, name)

    if not normalize:
        gain = min(1.0, peak_limit / peak) if peak >= SILENCE_LEVEL else 1.0
    elif strategy == "peak":
        gain = _gain_to(peak_limit, peak, "peak", name)
    elif strategy == "rms":
        gain = _gain_to(db_to_gain(-rms_headroom_db), _mono_rms(wav), "RMS", name)
    else:
        gain = _loudness_gain(wav, sample_rate, loudness_headroom_db, name)

    if gain != 1.0:
        wav = wav * np.float32(gain)
        peak *= gain
    if strategy == "loudness" and normalize and loudness_compressor:
        wav = np.tanh(wav)
        peak = float(np.tanh(peak))
    return _clip(wav, peak, 1.0, log_clipping, name)


def _gain_to(target: float, level: float, what: str, name: str) -> float:
    if level < SILENCE_LEVEL:
        log.info("%s: %s %.3g is digital silence; written without gain", name, what, level)
        return 1.0
    return target / level


def _mono_rms(wav: np.ndarray) -> float:
    mono = wav.mean(axis=0, dtype=np.float64)
    return float(np.sqrt(np.mean(np.square(mono))))


def _loudness_gain(wav: np.ndarray, sample_rate: int | None, headroom_db: float, name: str) -> float:
    if sample_rate is None:
        raise ValueError("strategy 'loudness' needs the sample_rate, to weight frequencies as BS.1770 does")
    channels, length = wav.shape
    if channels > LOUDNESS_MAX_CHANNELS:
        raise ValueError(
            f"{name}: BS.1770 loudness is defined for up to {LOUDNESS_MAX_CHANNELS} channels, got {channels}. "
            "Use strategy='rms' or 'peak' for this layout."
        )
    energy = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64))))
    if energy < LOUDNESS_ENERGY_FLOOR:
        log.info("%s: RMS %.3g is below the loudness floor %g; written without gain",
                 name, energy, LOUDNESS_ENERGY_FLOOR)
        return 1.0
    if length < LOUDNESS_BLOCK_SECONDS * sample_rate:
        log.warning("%s: %.3f s is shorter than one %g s BS.1770 block, so it has no integrated "
                    "loudness; written without gain", name, length / sample_rate, LOUDNESS_BLOCK_SECONDS)
        return 1.0
    loudness = integrated_loudness(wav, sample_rate)
    if not np.isfinite(loudness):
        log.warning("%s: every block is below the -70 LUFS gate; written without gain", name)
        return 1.0
    return db_to_gain(-headroom_db - loudness)


def integrated_loudness(wav: np.ndarray, sample_rate: int) -> float:
    """ITU-R BS.1770-4 integrated loudness of ``wav [C, T]`` in LUFS, measured by pyloudnorm."""
    try:
        import pyloudnorm
    except ImportError:
        raise MissingDependencyError("strategy 'loudness' measures loudness with pyloudnorm, which is not "
                                     "installed. Install it with: pip install 'codecreg[audio]'") from None
    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(wav.T.astype(np.float64)))


def _clip(wav: np.ndarray, peak: float, limit: float, log_clipping: bool, name: str) -> np.ndarray:
    if peak <= limit:
        return wav
    if log_clipping:
        clipped = int(np.count_nonzero(np.abs(wav) > limit))
        log.warning("clipping %s: %d of %d samples (%.3g%%) beyond ±%.4g, peak %.4g (%.2f dB over)",
                    name, clipped, wav.size, 100.0 * clipped / wav.size, limit, peak,
                    20.0 * np.log10(peak / limit))
    return np.clip(wav, -limit, limit)
