"""Seeded random-weight transformers audio tokenizers (Mimi, X-Codec, Higgs Audio v2,
WavTokenizer, XCodec2, NeuCodec) at their published configurations, for offline tests.

transformers starts these codebooks as zeros (every frame would get one code, and a parity
test would pass trivially), so every builder seeds each RVQ codebook, in order, from the
vectors its ``encode`` receives on a test signal: entries a quarter of those vectors' length
plus noise, so that a 32-deep residual stack does not collapse to one code in its last books
(full-length entries leave the residual about 20x smaller per book). XCodec2 and NeuCodec
quantize with a fixed FSQ grid instead: their ``project_in`` is scaled so the test signal
spans the grid's levels (random weights leave every value on the middle level).

    model, extractor = build_tokenizer("mimi")               # (transformers model, feature extractor or None)
    cache_tokenizer(model, extractor, "kyutai/mimi")         # into the offline Hub cache
    codec = codecreg.load_codec("hf:kyutai/mimi")

``reduced=True`` (XCodec2 and NeuCodec, about 630 M parameters at the real size) keeps every
width, rate and codebook and cuts the depth of the semantic encoder and of the decoder's
transformer to 2 layers: about 170 M parameters.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import torch
import transformers

from codecreg.testing import synthetic_audio
from support.hf_cache import put_in_hf_cache

#: the published checkpoints' configurations, as config.json gives them (docs/huggingface.md says where from)
_HIGGS_DAC = dict(downsampling_ratios=[8, 5, 4, 2, 3], upsampling_ratios=[8, 5, 4, 2, 3])
CONFIGS: dict[str, Callable[[], Any]] = {
    "mimi": lambda: transformers.MimiConfig(),
    "xcodec": lambda: transformers.XcodecConfig(),
    "xcodec_wavlm": lambda: transformers.XcodecConfig(semantic_model_config=transformers.WavLMConfig()),
    "higgs_audio_v2_tokenizer": lambda: transformers.HiggsAudioV2TokenizerConfig(
        target_bandwidths=[0.5, 1, 1.5, 2], acoustic_model_config=_HIGGS_DAC),
    "wavtokenizer": lambda: transformers.WavTokenizerConfig(),
    "xcodec2": lambda: transformers.Xcodec2Config(),
    "neucodec": lambda: transformers.NeuCodecConfig(),
}
_REDUCED = dict(num_hidden_layers=2, semantic_model_config=dict(model_type="wav2vec2-bert", num_hidden_layers=2))
MODEL_CLASSES = {"mimi": "MimiModel", "xcodec": "XcodecModel", "xcodec_wavlm": "XcodecModel",
                 "higgs_audio_v2_tokenizer": "HiggsAudioV2TokenizerModel", "wavtokenizer": "WavTokenizerModel",
                 "xcodec2": "Xcodec2Model", "neucodec": "NeuCodecModel"}
FEATURE_EXTRACTORS = {"xcodec2": "Xcodec2FeatureExtractor", "neucodec": "NeuCodecFeatureExtractor"}
#: seconds of test signal whose vectors seed the codebooks (Mimi's 12.5 Hz needs more to fill 2048 rows)
SEED_SECONDS = {"mimi": 4.0}
#: codebook entries as a fraction of the vectors they come from: shorter in a residual stack, so
#: that every book leaves a residual for the next; full length for a single codebook, where
#: shortened entries let the longest one win every frame
ENTRY_SCALE = {"wavtokenizer": 1.0}
DEFAULT_ENTRY_SCALE = 0.25


def tokenizer_config(family: str, reduced: bool = False) -> Any:
    config = CONFIGS[family]()
    if reduced:
        if family not in ("xcodec2", "neucodec"):
            raise ValueError(f"{family} has no reduced configuration: it is built at its real size")
        config = type(config)(**{**config.to_dict(), **_REDUCED})
    return config


@torch.no_grad()
def build_tokenizer(family: str, seed: int = 0, reduced: bool = False) -> tuple[torch.nn.Module, Any]:
    """``(model, feature_extractor or None)`` for ``family`` (a key of CONFIGS), in eval mode,
    random weights from ``seed``, codebooks seeded so codes vary."""
    config = tokenizer_config(family, reduced)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = getattr(transformers, MODEL_CLASSES[family])(config).eval()
    extractor = getattr(transformers, FEATURE_EXTRACTORS[family])() if family in FEATURE_EXTRACTORS else None
    generator = torch.Generator().manual_seed(seed)
    scale = ENTRY_SCALE.get(family, DEFAULT_ENTRY_SCALE)
    rate = _input_rate(config)
    audio = synthetic_audio(1, int(SEED_SECONDS.get(family, 1.0) * rate), rate, seed=1000 + seed)
    if family == "mimi":
        latents = model.encoder(audio).latents
        for rvq in (model.quantizer.semantic_residual_vector_quantizer,
                    model.quantizer.acoustic_residual_vector_quantizer):
            _seed_rvq(rvq.layers, rvq.input_proj(latents), generator, _set_mimi_rows, scale)
    elif family == "wavtokenizer":
        embeddings = model.encoder_model.encoder(audio)
        _seed_rvq([model.encoder_model.quantizer], embeddings, generator, _set_ema_rows, scale)
    elif family in ("xcodec", "xcodec_wavlm", "higgs_audio_v2_tokenizer"):
        embeddings = _quantizer_input(model.quantizer, lambda: model.encode(audio))
        project = family == "higgs_audio_v2_tokenizer"
        _seed_rvq(model.quantizer.quantizers, embeddings, generator, _set_ema_rows, scale, project_in=project)
    else:
        _spread_fsq(model, extractor, audio)
    return model, extractor


def cache_tokenizer(model: torch.nn.Module, extractor: Any, repo_id: str, revision: str = "main") -> Path:
    """Save ``model`` (and its feature extractor) into the offline Hub cache as ``repo_id``;
    returns the snapshot folder."""
    folder = Path(tempfile.mkdtemp(prefix="hf-tokenizer-"))
    try:
        save_tokenizer(model, extractor, folder)
        return put_in_hf_cache(folder, repo_id, revision)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_tokenizer(model: torch.nn.Module, extractor: Any, folder: Path) -> None:
    model.save_pretrained(folder)
    if extractor is not None:
        extractor.save_pretrained(folder)


def _input_rate(config: Any) -> int:
    for field in ("input_sampling_rate", "sampling_rate", "sample_rate"):
        if getattr(config, field, None):
            return int(getattr(config, field))
    raise ValueError(f"{type(config).__name__} names no sample rate")


def _quantizer_input(quantizer: torch.nn.Module, run: Callable[[], Any]) -> torch.Tensor:
    """What ``quantizer.encode`` receives while ``run()`` encodes the test signal."""
    received = []
    original = quantizer.encode

    def recording(embeddings, *args, **kwargs):
        received.append(embeddings)
        return original(embeddings, *args, **kwargs)

    quantizer.encode = recording
    try:
        run()
    finally:
        del quantizer.encode
    return received[0]


def _seed_rvq(layers, residual: torch.Tensor, generator: torch.Generator, set_rows, scale: float,
              project_in: bool = False) -> None:
    """Each layer's codebook from the residual vectors it quantizes, layer after layer."""
    for layer in layers:
        vectors = residual.transpose(1, 2).reshape(-1, residual.shape[1])  # [B x T, D]
        if project_in:
            vectors = layer.project_in(vectors)
        set_rows(layer.codebook, scale * _rows_like(vectors, layer.codebook.codebook_size, generator))
        residual = residual - layer.decode(layer.encode(residual))


def _rows_like(vectors: torch.Tensor, rows: int, generator: torch.Generator) -> torch.Tensor:
    """``rows`` entries: vectors drawn with replacement, each jittered by the vectors' spread."""
    picks = torch.randint(vectors.shape[0], (rows,), generator=generator)
    spread = vectors.std(dim=0, keepdim=True)
    return vectors[picks] + spread * torch.randn(rows, vectors.shape[1], generator=generator)


def _set_mimi_rows(codebook: torch.nn.Module, rows: torch.Tensor) -> None:
    codebook.embed_sum.copy_(rows)
    codebook.cluster_usage.fill_(1.0)
    codebook._embed = None  # the cached embed is recomputed from embed_sum


def _set_ema_rows(codebook: torch.nn.Module, rows: torch.Tensor) -> None:
    codebook.embed.copy_(rows)
    codebook.embed_avg.copy_(rows)
    codebook.cluster_size.fill_(1.0)
    codebook.inited.fill_(1.0)


def _spread_fsq(model: torch.nn.Module, extractor: Any, audio: torch.Tensor) -> None:
    """Scale and centre ``project_in`` so that its outputs on the test signal have unit spread."""
    inputs = extractor(audio[0, 0], sampling_rate=extractor.sampling_rate, return_tensors="pt")
    hidden = _module_input(model.quantizer.project_in, lambda: model.encode(**inputs))
    project = model.quantizer.project_in
    out = project(hidden).reshape(-1, project.out_features)
    scale = 1.0 / out.std(dim=0).clamp(min=1e-8)
    project.weight.mul_(scale[:, None])
    project.bias.copy_(project.bias * scale - out.mean(dim=0) * scale)


def _module_input(module: torch.nn.Module, run: Callable[[], Any]) -> torch.Tensor:
    received = []
    handle = module.register_forward_pre_hook(lambda _, args: received.append(args[0]))
    try:
        run()
    finally:
        handle.remove()
    return received[0]
