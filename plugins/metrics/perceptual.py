"""Perceptual metrics, each computed by its own library: PESQ, STOI/ESTOI, ViSQOL and DNSMOS.

Nothing here re-implements a metric: every function hands the library the
float64 mono signal the study converted for it (at the rate its ``MetricSpec``
declares, with ``codecreg.convert_audio``) and returns the library's number
unchanged. What a library cannot score (silence, too short) raises
``codecreg.UnscorableError`` with the reason, which the study writes in the
per-input table instead of a number. The libraries are imported only when a
study builds the metric.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Callable

import numpy as np

from codecreg import UnscorableError

#: ITU-T P.862 needs at least a quarter of a second
PESQ_MIN_SECONDS = 0.25


def _mono(audio: np.ndarray, metric: str) -> np.ndarray:
    """``[1, T]`` as the 1-D float64 signal the libraries take."""
    audio = np.asarray(audio)
    if audio.ndim != 2 or audio.shape[0] != 1:
        raise ValueError(f"{metric} scores mono [1, T] audio, got shape {audio.shape}")
    return audio[0].astype(np.float64)


def _refuse_silence(signal: np.ndarray, what: str) -> None:
    if not np.any(signal):
        raise UnscorableError(f"the {what} is silent")


# PESQ (ITU-T P.862, the pesq package) ----------------------------------------
def build_pesq() -> Callable[[np.ndarray, np.ndarray, int], float]:
    """Wide-band PESQ (P.862.2) at 16 kHz, MOS-LQO from -0.5 to 4.64."""
    return _pesq_metric("wb")


def build_pesq_nb() -> Callable[[np.ndarray, np.ndarray, int], float]:
    """Narrow-band PESQ (P.862.1) at 8 kHz."""
    return _pesq_metric("nb")


def _pesq_metric(mode: str) -> Callable[[np.ndarray, np.ndarray, int], float]:
    import pesq

    name = "pesq" if mode == "wb" else "pesq_nb"

    def pesq_metric(reference: np.ndarray, estimate: np.ndarray, sample_rate: int) -> float:
        ref, est = _mono(reference, name), _mono(estimate, name)
        if ref.size < PESQ_MIN_SECONDS * sample_rate:
            raise UnscorableError(f"{ref.size / sample_rate:.3f} s is shorter than the {PESQ_MIN_SECONDS} s "
                                  "PESQ needs")
        _refuse_silence(ref, "reference")
        try:
            return float(pesq.pesq(sample_rate, ref, est, mode))
        except pesq.PesqError as error:  # NoUtterancesError, BufferTooShortError: the C code's own reasons
            reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
            raise UnscorableError(f"PESQ: {reason}") from None

    pesq_metric.__name__ = name
    return pesq_metric


# STOI and ESTOI (pystoi) -----------------------------------------------------
def build_stoi() -> Callable[[np.ndarray, np.ndarray, int], float]:
    """STOI (Taal et al., 2011), 0 to 1, at its own 10 kHz."""
    return _stoi_metric(extended=False)


def build_estoi() -> Callable[[np.ndarray, np.ndarray, int], float]:
    """Extended STOI (Jensen and Taal, 2016)."""
    return _stoi_metric(extended=True)


def _stoi_metric(extended: bool) -> Callable[[np.ndarray, np.ndarray, int], float]:
    import pystoi

    name = "estoi" if extended else "stoi"

    def stoi_metric(reference: np.ndarray, estimate: np.ndarray, sample_rate: int) -> float:
        ref, est = _mono(reference, name), _mono(estimate, name)
        _refuse_silence(ref, "reference")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = float(pystoi.stoi(ref, est, sample_rate, extended=extended))
        for warning in caught:  # pystoi returns 1e-5 with this warning: a placeholder, not a score
            if "Not enough STFT frames" in str(warning.message):
                raise UnscorableError(f"pystoi: {str(warning.message).split('. Returning')[0]} "
                                      f"({ref.size / sample_rate:.3f} s)")
        return value

    stoi_metric.__name__ = name
    return stoi_metric


# ViSQOL v3 (visqol-python, its SVR and lattice models inside the package) ----
def build_visqol() -> Callable[[np.ndarray, np.ndarray, int], float]:
    """ViSQOL audio mode at 48 kHz (the bundled SVR model), MOS-LQO 1 to 5."""
    return _visqol_metric("audio")


def build_visqol_speech() -> Callable[[np.ndarray, np.ndarray, int], float]:
    """ViSQOL speech mode at 16 kHz with the bundled deep-lattice model (the C++ default; needs ai-edge-litert)."""
    return _visqol_metric("speech")


def _visqol_metric(mode: str) -> Callable[[np.ndarray, np.ndarray, int], float]:
    from visqol import VisqolApi

    name = "visqol" if mode == "audio" else "visqol_speech"
    api = VisqolApi()
    if mode == "audio":
        api.create(mode="audio")
    else:  # ask for the lattice model: without its runtime visqol would fall back to another mapping
        api.create(mode="speech", use_lattice_model=True)

    def visqol_metric(reference: np.ndarray, estimate: np.ndarray, sample_rate: int) -> float:
        ref, est = _mono(reference, name), _mono(estimate, name)
        _refuse_silence(ref, "reference")
        _refuse_silence(est, "reconstruction")
        try:
            value = float(api.measure_from_arrays(ref, est, sample_rate).moslqo)
        except (ValueError, IndexError) as error:  # too few frames for a patch: its own ValueError / IndexError
            raise UnscorableError(f"ViSQOL could not score {ref.size / sample_rate:.3f} s: "
                                  f"{type(error).__name__}: {error}") from None
        if not np.isfinite(value):
            raise UnscorableError("ViSQOL returned NaN")
        return value

    visqol_metric.__name__ = name
    return visqol_metric


# DNSMOS P.835 (speechmos, its ONNX models inside the package) ----------------
def build_dnsmos() -> Callable[[np.ndarray, int], float]:
    """DNSMOS overall quality (OVRL, P.835), 1 to 5, at 16 kHz; no reference.

    speechmos' own ``dnsmos.run`` opens its ONNX sessions with onnxruntime's defaults: a
    thread per core, spinning while idle. Two study workers on two cores then run four
    spinning threads; so the sessions are opened here with the process's compute threads
    (the worker's share) and no spinning, on speechmos' own models and scoring code.
    """
    model = _dnsmos_model()

    def dnsmos_metric(audio: np.ndarray, sample_rate: int) -> float:
        signal = _mono(audio, "dnsmos")
        if np.abs(signal).max() > 1.0:  # speechmos refuses these ("values must be between -1 and 1")
            raise UnscorableError(f"DNSMOS takes samples in [-1, 1]; the peak is {np.abs(signal).max():.3f}")
        if sample_rate != 16000:
            raise ValueError(f"DNSMOS scores 16 kHz audio, got {sample_rate} Hz: convert it first "
                             "(codecreg.convert_audio), as a study does")
        return float(model(signal, sample_rate, False)["ovrl_mos"])

    return dnsmos_metric


def _dnsmos_model():
    """speechmos' ``DNSMOS`` on its bundled non-personalized models, sessions opened with
    ``_session_options``."""
    import onnxruntime
    import speechmos
    from speechmos.dnsmos import DNSMOS

    models = os.path.join(os.path.dirname(os.path.abspath(speechmos.__file__)), "dnsmos_models")
    options = _session_options(onnxruntime)
    model = DNSMOS.__new__(DNSMOS)  # its __init__ opens default sessions
    model.primary_model_path = os.path.join(models, "sig_bak_ovr.onnx")
    model.onnx_sess = onnxruntime.InferenceSession(model.primary_model_path, options)
    model.p808_onnx_sess = onnxruntime.InferenceSession(os.path.join(models, "model_v8.onnx"), options)
    return model


def _session_options(onnxruntime):
    """As many intra-op threads as torch computes with in this process (a worker's share of the
    cores), one inter-op thread, and no spinning between calls."""
    options = onnxruntime.SessionOptions()
    torch = sys.modules.get("torch")
    if torch is not None:
        options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options
