"""Registration of the metrics plugin: specs only, no heavy imports.

Each factory returns a metric ``(reference [C, T], estimate [C, T], sample_rate) -> float``
on float numpy arrays of equal shape; docs/studies.md describes the protocol.
"""

from codecreg import MetricSpec, hookimpl

_REQUIRES = {"requires": ("numpy",), "install": "pip install codecreg"}


@hookimpl
def register_metrics(register):
    register(MetricSpec(
        name="si_sdr", factory="codecreg_metrics.si_sdr:build", unit="dB", higher_is_better=True,
        description="scale-invariant signal-to-distortion ratio; polarity-inverted output scores as noise",
        **_REQUIRES,
    ))
    register(MetricSpec(
        name="mel_distance", factory="codecreg_metrics.spectral_distances:build_mel_distance",
        higher_is_better=False,
        description="L1 of log10 mel spectrograms over 7 scales (windows 32..2048), as DAC evaluates",
        **_REQUIRES,
    ))
    register(MetricSpec(
        name="stft_distance", factory="codecreg_metrics.spectral_distances:build_stft_distance",
        higher_is_better=False,
        description="multi-scale STFT distance (windows 2048 and 512): L1 of log power plus L1 of magnitude",
        **_REQUIRES,
    ))
