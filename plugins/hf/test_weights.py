"""Seeded test weights for the hf plugin's registered names (Mimi, X-Codec, Higgs Audio v2,
WavTokenizer, XCodec2, NeuCodec), in the layout the names load: transformers' ``save_pretrained``
folder (config.json + model.safetensors, and preprocessor_config.json where the model takes
``input_features``) as a snapshot of the published Hub repo.

``real`` is the published configuration (docs/huggingface.md says where each comes from);
``small`` keeps everything the codec's numbers and lengths depend on (sample rates, hops and
strides, codebook size and count, bandwidths, the feature extractor, the semantic branch's
family) and shrinks widths to a few dozen channels and every transformer stack to one layer.

transformers starts these codebooks as zeros (every frame would get one code, and a parity
test would pass trivially), so each RVQ codebook is seeded in order from the vectors it receives
on a test signal (``codecreg.testing.seed_residual_codebooks``): entries a quarter of those
vectors' length plus noise, so that Mimi's 32-deep stack keeps every book varied (full-length
entries leave the residual about 20x smaller per book); full length for WavTokenizer's single
book, where shortened entries let the longest one win every frame. XCodec2 and NeuCodec quantize
with a fixed FSQ grid instead: their ``project_in`` is scaled so the test signal spans the
grid's levels (random weights leave every value on the middle level).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Callable

from codecreg.testing import TestWeights

from .published import PUBLISHED

_HIGGS_RATIOS = dict(downsampling_ratios=[8, 5, 4, 2, 3], upsampling_ratios=[8, 5, 4, 2, 3])
_WAVLM = dict(model_type="wavlm")
#: name -> (model_type, the published config's fields where they differ from transformers' defaults)
REAL: dict[str, tuple[str, dict[str, Any]]] = {
    "mimi": ("mimi", {}),
    "xcodec_hubert_librispeech": ("xcodec", {}),
    "xcodec_wavlm_mls": ("xcodec", dict(semantic_model_config=_WAVLM)),
    "xcodec_wavlm_more_data": ("xcodec", dict(semantic_model_config=_WAVLM)),
    "xcodec_hubert_general": ("xcodec", {}),
    "xcodec_hubert_general_balanced": ("xcodec", {}),
    "higgs_audio_v2_tokenizer": ("higgs_audio_v2_tokenizer",
                                 dict(target_bandwidths=[0.5, 1, 1.5, 2], acoustic_model_config=_HIGGS_RATIOS)),
    "wavtokenizer_large_unify_40": ("wavtokenizer", {}),
    "xcodec2": ("xcodec2", {}),
    "neucodec": ("neucodec", {}),
}

#: one transformer layer of 32 channels and 2 heads: the attention, rotary or relative positions,
#: convolutions and norms of the real stack, a few thousand times cheaper
_SMALL_TRANSFORMER = dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
#: HuBERT / WavLM with the real convolutional front end's kernels and strides (hop 320), 8 channels wide
_SMALL_SPEECH_ENCODER = dict(_SMALL_TRANSFORMER, conv_dim=[8] * 7, num_conv_pos_embedding_groups=2)
#: the DAC branch of X-Codec and Higgs: same ratios, narrow (encoder width doubles at each stride)
_SMALL_DAC = dict(encoder_hidden_size=4, decoder_hidden_size=32, hidden_size=16)
#: Wav2Vec2-BERT (XCodec2, NeuCodec): the same 160 input features (80 filterbanks, two frames stacked)
_SMALL_W2V_BERT = dict(_SMALL_TRANSFORMER, model_type="wav2vec2-bert", output_hidden_size=32)
_SMALL_FSQ = dict(_SMALL_TRANSFORMER, num_key_value_heads=2, head_dim=16, encoder_hidden_size=4,
                  quantization_dim=64,  # the fused semantic + acoustic width (32 + 32)
                  semantic_model_config=_SMALL_W2V_BERT)
SMALL: dict[str, dict[str, Any]] = {
    "mimi": dict(_SMALL_TRANSFORMER, num_key_value_heads=2, num_filters=4, codebook_dim=16,
                 vector_quantization_hidden_dimension=16, upsample_groups=32),
    "xcodec": dict(acoustic_model_config=_SMALL_DAC, semantic_model_config=_SMALL_SPEECH_ENCODER),
    "higgs_audio_v2_tokenizer": dict(acoustic_model_config=_SMALL_DAC, semantic_model_config=_SMALL_SPEECH_ENCODER,
                                     codebook_dim=8),
    "wavtokenizer": dict(num_filters=4, hidden_size=16, codebook_dim=16, num_lstm_layers=1,
                         decoder_hidden_size=32, decoder_intermediate_size=64, decoder_num_layers=1),
    "xcodec2": _SMALL_FSQ,
    "neucodec": _SMALL_FSQ,
}
#: the model types whose model takes ``input_features`` from the family's own feature extractor
FEATURE_EXTRACTORS = {"xcodec2": "Xcodec2FeatureExtractor", "neucodec": "NeuCodecFeatureExtractor"}
#: seconds of test signal whose vectors seed the codebooks (Mimi's 12.5 Hz needs more to fill 2048 rows)
SEED_SECONDS = {"mimi": 4.0}
#: codebook entries as a fraction of the vectors they come from (the module docstring says why)
ENTRY_SCALE = {"wavtokenizer": 1.0}
DEFAULT_ENTRY_SCALE = 0.25


def config_fields(name: str, size: str = "real") -> dict[str, Any]:
    """``{"model_type": ..., "fields": {...}, "feature_extractor": class name or None}`` of ``name``
    at ``size``: the config is ``AutoConfig.for_model(model_type, **fields)``."""
    model_type, fields = REAL[name]
    if size == "small":
        fields = _merged(fields, SMALL[model_type])
    return {"model_type": model_type, "fields": fields, "feature_extractor": FEATURE_EXTRACTORS.get(model_type)}


def recipe(name: str, size: str) -> TestWeights:
    config = config_fields(name, size)
    return TestWeights(config=config, build=partial(save_seeded, config), hub_repo=PUBLISHED[name].repo,
                       libraries=("torch", "transformers"))


def save_seeded(config: dict[str, Any], folder: Path) -> None:
    model, extractor = seeded_model(config)
    model.save_pretrained(folder)
    if extractor is not None:
        extractor.save_pretrained(folder)


def seeded_model(config: dict[str, Any], seed: int = 0) -> tuple[Any, Any]:
    """``(transformers model in eval mode, feature extractor or None)`` for ``config`` (from
    ``config_fields``), weights from ``seed``, codebooks seeded so that codes vary."""
    import torch
    import transformers

    from codecreg.testing import synthetic_audio

    model_type = config["model_type"]
    model_config = transformers.AutoConfig.for_model(model_type, **config["fields"])
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = transformers.AutoModel.from_config(model_config).eval()
    extractor = getattr(transformers, config["feature_extractor"])() if config["feature_extractor"] else None
    rate = _input_rate(model_config)
    audio = synthetic_audio(1, int(SEED_SECONDS.get(model_type, 1.0) * rate), rate, seed=1000 + seed)
    with torch.no_grad():
        _SEEDERS[model_type](model, audio, extractor, seed, ENTRY_SCALE.get(model_type, DEFAULT_ENTRY_SCALE))
    return model, extractor


# seeders, one per family ---------------------------------------------------

def _seed_mimi(model, audio, extractor, seed: int, scale: float) -> None:
    from codecreg.testing import SeedableCodebook, seed_residual_codebooks

    latents = model.encoder(audio).latents
    quantizer = model.quantizer
    for offset, rvq in enumerate((quantizer.semantic_residual_vector_quantizer,
                                  quantizer.acoustic_residual_vector_quantizer)):
        seed_residual_codebooks(rvq.input_proj(latents), [
            SeedableCodebook(layer.codebook.codebook_size, partial(_write_mimi, layer.codebook),
                             partial(_round_trip, layer))
            for layer in rvq.layers], seed=seed + offset, entry_scale=scale)


def _seed_wavtokenizer(model, audio, extractor, seed: int, scale: float) -> None:
    from codecreg.testing import SeedableCodebook, seed_residual_codebooks

    layer = model.encoder_model.quantizer
    seed_residual_codebooks(model.encoder_model.encoder(audio), [
        SeedableCodebook(layer.codebook.codebook_size, partial(_write_ema, layer.codebook), partial(_round_trip, layer))],
        seed=seed, entry_scale=scale)


def _seed_xcodec(model, audio, extractor, seed: int, scale: float) -> None:
    """X-Codec and Higgs: the quantizer's input while the model encodes; Higgs's codebooks live
    behind a ``project_in``."""
    from codecreg.testing import SeedableCodebook, seed_residual_codebooks

    embeddings = _received(model.quantizer, "encode", lambda: model.encode(audio))
    seed_residual_codebooks(embeddings, [
        SeedableCodebook(layer.codebook.codebook_size, partial(_write_ema, layer.codebook), partial(_round_trip, layer),
                         project=partial(_channels_first, layer.project_in) if hasattr(layer, "project_in") else None)
        for layer in model.quantizer.quantizers], seed=seed, entry_scale=scale)


def _spread_fsq(model, audio, extractor, seed: int, scale: float) -> None:
    """XCodec2, NeuCodec: scale and centre ``project_in`` so that its outputs on the test signal
    have unit spread around the FSQ grid's middle (the grid itself is fixed)."""
    inputs = extractor(audio[0, 0], sampling_rate=extractor.sampling_rate, return_tensors="pt")
    project = model.quantizer.project_in
    hidden = _received(project, "forward", lambda: model.encode(**inputs))
    out = project(hidden).reshape(-1, project.out_features)
    gain = 1.0 / out.std(dim=0).clamp(min=1e-8)
    project.weight.mul_(gain[:, None])
    project.bias.copy_(project.bias * gain - out.mean(dim=0) * gain)


_SEEDERS: dict[str, Callable[..., None]] = {
    "mimi": _seed_mimi, "wavtokenizer": _seed_wavtokenizer, "xcodec": _seed_xcodec,
    "higgs_audio_v2_tokenizer": _seed_xcodec, "xcodec2": _spread_fsq, "neucodec": _spread_fsq,
}


def _write_mimi(codebook, rows) -> None:
    codebook.embed_sum.copy_(rows)
    codebook.cluster_usage.fill_(1.0)
    codebook._embed = None  # the cached embed is recomputed from embed_sum


def _write_ema(codebook, rows) -> None:
    codebook.embed.copy_(rows)
    codebook.embed_avg.copy_(rows)
    codebook.cluster_size.fill_(1.0)
    codebook.inited.fill_(1.0)


def _round_trip(layer, residual):
    return layer.decode(layer.encode(residual))


def _channels_first(linear, x):
    """A ``Linear`` over the channels of ``x [B, D, T]``."""
    return linear(x.transpose(1, 2)).transpose(1, 2)


def _received(module, method: str, run: Callable[[], Any]):
    """The first argument ``module.<method>`` receives while ``run()`` runs."""
    received = []
    original = getattr(module, method)

    def recording(first, *args, **kwargs):
        received.append(first)
        return original(first, *args, **kwargs)

    setattr(module, method, recording)
    try:
        run()
    finally:
        delattr(module, method)
    if not received:
        raise RuntimeError(f"{type(module).__name__}.{method} was not called while encoding the test signal")
    return received[0]


def _input_rate(config: Any) -> int:
    for field in ("input_sampling_rate", "sampling_rate", "sample_rate"):
        if getattr(config, field, None):
            return int(getattr(config, field))
    raise ValueError(f"{type(config).__name__} names no sample rate")


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes``, sub-config dicts merged key by key."""
    out = dict(base)
    for key, value in changes.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out
