"""Segmental SNR: the mean over 20 ms frames of each frame's SNR, clamped to -10..35 dB."""

import numpy as np

from codecreg import UnscorableError

FRAME_SECONDS = 0.02
LOW_DB, HIGH_DB = -10.0, 35.0


def segmental_snr(reference, estimate, sample_rate):
    """``reference``, ``estimate``: ``[1, T]`` float arrays at ``sample_rate`` (16000: the spec asks for it)."""
    frame = int(FRAME_SECONDS * sample_rate)
    frames = reference.shape[-1] // frame
    if frames == 0:
        raise UnscorableError(f"{reference.shape[-1] / sample_rate:.3f} s is shorter than one {frame}-sample frame")
    ref = reference[0, : frames * frame].reshape(frames, frame).astype(np.float64)
    err = ref - estimate[0, : frames * frame].reshape(frames, frame)
    snr = 10 * np.log10(((ref ** 2).sum(axis=1) + 1e-10) / ((err ** 2).sum(axis=1) + 1e-10))
    return float(np.clip(snr, LOW_DB, HIGH_DB).mean())


def build():
    return segmental_snr
