"""Factories of the registered names: each loads its published Hub repo as ``hf:<repo>`` does."""

from __future__ import annotations

from typing import Any, Callable

from codecreg import CompressionModel

from .loader import load
from .published import PUBLISHED


def _factory(name: str) -> Callable[..., CompressionModel]:
    def build(device: Any = "cpu", revision: str | None = None) -> CompressionModel:
        return load(PUBLISHED[name].repo, revision, device)

    build.__name__ = name
    build.__doc__ = f"{name}: hf:{PUBLISHED[name].repo}"
    return build


mimi = _factory("mimi")
xcodec_hubert_librispeech = _factory("xcodec_hubert_librispeech")
xcodec_wavlm_mls = _factory("xcodec_wavlm_mls")
xcodec_wavlm_more_data = _factory("xcodec_wavlm_more_data")
xcodec_hubert_general = _factory("xcodec_hubert_general")
xcodec_hubert_general_balanced = _factory("xcodec_hubert_general_balanced")
higgs_audio_v2_tokenizer = _factory("higgs_audio_v2_tokenizer")
wavtokenizer_large_unify_40 = _factory("wavtokenizer_large_unify_40")
xcodec2 = _factory("xcodec2")
neucodec = _factory("neucodec")
