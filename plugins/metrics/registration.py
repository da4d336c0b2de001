"""Registration of the metrics plugin: specs only, no heavy imports.

Each factory returns a metric ``(reference [C, T], estimate [C, T], sample_rate) -> float``
on float numpy arrays of equal shape (``(audio [C, T], sample_rate) -> float`` for
DNSMOS, which needs no reference); docs/studies.md describes the protocol. The
perceptual metrics come from their own libraries, in the ``metrics`` extra.
"""

from codecreg import MetricSpec, hookimpl

_REQUIRES = {"requires": ("numpy",), "install": "pip install codecreg"}
_PERCEPTUAL = "pip install 'codecreg[metrics]'"
_PESQ = {"requires": ("pesq",), "install": _PERCEPTUAL, "unit": "MOS", "channel_mode": "mono",
         "value_range": (-0.5, 4.64)}
_STOI = {"requires": ("pystoi",), "install": _PERCEPTUAL, "sample_rates": (10000,), "channel_mode": "mono",
         "value_range": (0.0, 1.0)}  # pystoi's own rate: handed 10 kHz, it resamples nothing itself
# ViSQOL and DNSMOS cost more per input than a codec's round trip (docs/studies.md): named, or "all"
_VISQOL = {"install": _PERCEPTUAL, "unit": "MOS", "channel_mode": "mono", "value_range": (1.0, 5.0),
           "default": False}


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
    register(MetricSpec(
        name="pesq", factory="codecreg_metrics.perceptual:build_pesq", sample_rates=(16000,),
        description="wide-band PESQ (ITU-T P.862.2) at 16 kHz, the pesq package", **_PESQ,
    ))
    register(MetricSpec(
        name="pesq_nb", factory="codecreg_metrics.perceptual:build_pesq_nb", sample_rates=(8000,),
        description="narrow-band PESQ (ITU-T P.862.1) at 8 kHz, the pesq package", **_PESQ,
    ))
    register(MetricSpec(
        name="stoi", factory="codecreg_metrics.perceptual:build_stoi",
        description="short-time objective intelligibility (Taal et al., 2011) at 10 kHz, pystoi", **_STOI,
    ))
    register(MetricSpec(
        name="estoi", factory="codecreg_metrics.perceptual:build_estoi",
        description="extended STOI (Jensen and Taal, 2016) at 10 kHz, pystoi", **_STOI,
    ))
    register(MetricSpec(
        name="visqol", factory="codecreg_metrics.perceptual:build_visqol", sample_rates=(48000,),
        requires=("visqol", "libsvm"),
        description="ViSQOL v3 audio mode at 48 kHz (its SVR model), visqol-python", **_VISQOL,
    ))
    register(MetricSpec(
        name="visqol_speech", factory="codecreg_metrics.perceptual:build_visqol_speech", sample_rates=(16000,),
        requires=("visqol", "ai_edge_litert"),
        description="ViSQOL v3 speech mode at 16 kHz (its deep-lattice model), visqol-python", **_VISQOL,
    ))
    register(MetricSpec(
        name="dnsmos", factory="codecreg_metrics.perceptual:build_dnsmos", sample_rates=(16000,),
        requires=("speechmos", "onnxruntime", "librosa", "requests"), install=_PERCEPTUAL, unit="MOS",
        channel_mode="mono", needs_reference=False, value_range=(1.0, 5.0), default=False,
        description="DNSMOS P.835 overall quality (no reference) at 16 kHz, speechmos' bundled ONNX models; "
                    "also scored on the input, the ceiling",
    ))
