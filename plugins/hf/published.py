"""The published transformers audio tokenizers registered by name: their Hub repos and the
numbers of their configurations (docs/huggingface.md says where each comes from), plus a
look at the Hugging Face cache. Plain data and file checks: listing imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from codecreg.checkpoints import hub_snapshot_cached


@dataclass(frozen=True)
class Published:
    repo: str
    description: str
    sample_rate: int
    frame_rate: float
    cardinality: int
    codebooks: int
    bandwidths: tuple[float, ...] = ()
    notes: str = ""


_XCODEC_BANDWIDTHS = (0.5, 1.0, 1.5, 2.0, 4.0)
_XCODEC = dict(sample_rate=16000, frame_rate=50.0, cardinality=1024, codebooks=8, bandwidths=_XCODEC_BANDWIDTHS)

PUBLISHED: dict[str, Published] = {
    "mimi": Published(
        "kyutai/mimi", "Mimi 24 kHz, Moshi's and Sesame CSM's tokenizer: split RVQ, 32 codebooks at 12.5 Hz",
        24000, 12.5, 2048, 32,
        notes="codebook 0 is semantic (distilled from WavLM), codebooks 1-31 acoustic; Moshi models use the "
              "first 8 (?num_codebooks=8)"),
    "xcodec_hubert_librispeech": Published(
        "hf-audio/xcodec-hubert-librispeech", "X-Codec 16 kHz speech, HuBERT semantic branch, LibriSpeech", **_XCODEC),
    "xcodec_wavlm_mls": Published(
        "hf-audio/xcodec-wavlm-mls", "X-Codec 16 kHz speech, WavLM semantic branch, MLS English", **_XCODEC),
    "xcodec_wavlm_more_data": Published(
        "hf-audio/xcodec-wavlm-more-data", "X-Codec 16 kHz speech, WavLM semantic branch, MLS + more data",
        **_XCODEC),
    "xcodec_hubert_general": Published(
        "hf-audio/xcodec-hubert-general", "X-Codec 16 kHz general audio, HuBERT semantic branch", **_XCODEC),
    "xcodec_hubert_general_balanced": Published(
        "hf-audio/xcodec-hubert-general-balanced", "X-Codec 16 kHz general audio, HuBERT, balanced data",
        **_XCODEC),
    "higgs_audio_v2_tokenizer": Published(
        "bosonai/higgs-audio-v2-tokenizer", "Higgs Audio v2's tokenizer: X-Codec at 24 kHz, 8 codebooks at 25 Hz",
        24000, 25.0, 1024, 8, (0.5, 1.0, 1.5, 2.0)),
    "wavtokenizer_large_unify_40": Published(
        "swiss-ai/wavtokenizer-large-unify-40token", "WavTokenizer large (unified data), 24 kHz, one codebook "
        "of 4096 at 40 Hz", 24000, 40.0, 4096, 1),
    "xcodec2": Published(
        "HKUSTAudio/xcodec2-hf", "XCodec2 16 kHz, Llasa's tokenizer: one FSQ codebook of 65536 at 50 Hz",
        16000, 50.0, 65536, 1,
        notes="T samples give T // 320 + 1 frames (the feature extractor pads one sample, then to a hop multiple)"),
    "neucodec": Published(
        "neuphonic/neucodec", "NeuCodec: 16 kHz encoder, 24 kHz decoder, one FSQ codebook of 65536 at 50 Hz",
        24000, 50.0, 65536, 1,
        notes="encodes 24 kHz audio resampled to the encoder's 16 kHz; decodes 24 kHz"),
}

WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json")


def published_weights_cached(name: str) -> bool:
    return hub_snapshot_cached(PUBLISHED[name].repo, WEIGHT_FILES)
