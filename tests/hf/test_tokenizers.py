"""The transformers audio tokenizers behind ``hf:`` (Mimi, X-Codec, Higgs Audio v2, WavTokenizer,
XCodec2, NeuCodec) against transformers' own models on the same seeded random weights: codes
equal item by item, decoded audio within 1e-5, by registered name, by ``hf:<repo>`` from the
offline Hub cache and by ``hf:<folder>``; every codebook varies.

Default tier: Mimi, X-Codec (HuBERT), Higgs Audio v2 and WavTokenizer at their real sizes;
XCodec2 and NeuCodec (about 630 M parameters) reduced to 2 semantic and 2 decoder layers.
Slow tier: XCodec2 and NeuCodec at their real sizes, and X-Codec with a WavLM semantic branch.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch
import torchaudio

import codecreg
from codecreg.testing import synthetic_audio
from support.hf_tokenizers import save_tokenizer


def rvq_reference(model, x):
    """Mimi and WavTokenizer: transformers' encode and decode as they are."""
    return model.encode(x, return_dict=True).audio_codes


def xcodec_reference(model, x):
    """X-Codec and Higgs: transformers' encode at the highest bandwidth of the input padded to a hop multiple."""
    padded = torch.nn.functional.pad(x, (0, -x.shape[-1] % model.config.hop_length))
    return model.encode(padded, bandwidth=max(model.config.target_bandwidths), return_dict=True).audio_codes


def features_reference(model, x, extractor):
    """XCodec2: the family's feature extractor, then transformers' encode."""
    inputs = extractor(x[0, 0], sampling_rate=extractor.sampling_rate, return_tensors="pt")
    return model.encode(**inputs, return_dict=True).audio_codes


def neucodec_reference(model, x, extractor):
    """NeuCodec: 24 kHz padded to a multiple of 480, resampled to 16 kHz, then as XCodec2."""
    padded = torch.nn.functional.pad(x, (0, -x.shape[-1] % model.config.hop_length))
    resampled = torchaudio.functional.resample(padded, model.config.output_sampling_rate,
                                               model.config.input_sampling_rate)
    return features_reference(model, resampled, extractor)


@dataclass(frozen=True)
class Family:
    name: str  # the registered name
    repo: str
    revision: str = "main"
    reference: object = rvq_reference
    extra_frame: bool = False  # XCodec2: T // hop + 1 frames

    @property
    def registered(self) -> str:
        return self.name + (f"?revision={self.revision}" if self.revision != "main" else "")

    @property
    def hub(self) -> str:
        return f"hf:{self.repo}" + (f"@{self.revision}" if self.revision != "main" else "")


FAST = [
    Family("mimi", "kyutai/mimi"),
    Family("xcodec_hubert_librispeech", "hf-audio/xcodec-hubert-librispeech", reference=xcodec_reference),
    Family("higgs_audio_v2_tokenizer", "bosonai/higgs-audio-v2-tokenizer", reference=xcodec_reference),
    Family("wavtokenizer_large_unify_40", "swiss-ai/wavtokenizer-large-unify-40token"),
    Family("xcodec2", "HKUSTAudio/xcodec2-hf", "reduced", features_reference, extra_frame=True),
    Family("neucodec", "neuphonic/neucodec", "reduced", neucodec_reference),
]
SLOW = [
    Family("xcodec_wavlm_mls", "hf-audio/xcodec-wavlm-mls", reference=xcodec_reference),
    Family("xcodec2", "HKUSTAudio/xcodec2-hf", reference=features_reference, extra_frame=True),
    Family("neucodec", "neuphonic/neucodec", reference=neucodec_reference),
]
SECONDS = 0.437  # not a multiple of any hop


def assert_audio_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert float((actual - expected).abs().max()) <= 1e-5 * float(expected.abs().max()) + 1e-7


@torch.no_grad()
def reference_codes_and_audio(family: Family, model, extractor, x: torch.Tensor):
    args = (model, x) if extractor is None else (model, x, extractor)
    codes = family.reference(*args)
    if extractor is None:
        audio = model.decode(codes, return_dict=True).audio_values
    else:
        audio = model.decode(audio_codes=codes, return_dict=True).audio_values
    return codes, audio.reshape(codes.shape[0], 1, -1)


def check_parity(family: Family, codec, model, extractor, batch: int = 2) -> None:
    audio = synthetic_audio(1, int(SECONDS * codec.sample_rate), codec.sample_rate, batch=batch)
    codes, scale = codec.encode(audio)
    assert scale is None and codes.dtype == torch.int64
    frames = audio.shape[-1] // codec.hop + 1 if family.extra_frame else -(-audio.shape[-1] // codec.hop)
    assert codes.shape == (batch, codec.total_codebooks, frames)
    varied = [len(torch.unique(codes[0, k])) for k in range(codes.shape[1])]
    assert min(varied) > 1, f"codebooks with a single code over {frames} frames: {varied}"
    for item in range(batch):
        expected_codes, expected_audio = reference_codes_and_audio(family, model, extractor, audio[item:item + 1])
        assert torch.equal(codes[item:item + 1], expected_codes)
        covered = frames * codec.hop
        assert_audio_close(codec.decode(codes[item:item + 1]), expected_audio[..., :covered])
        assert_audio_close(codec.decode(codes[item:item + 1], length=audio.shape[-1]),
                           expected_audio[..., :audio.shape[-1]])


@pytest.mark.parametrize("family", FAST, ids=lambda family: family.name)
def test_registered_name_matches_transformers(hub_tokenizer, tokenizer_codec, family):
    model, extractor = hub_tokenizer(family.repo, family.revision)
    codec = tokenizer_codec(family.registered)
    spec = codecreg.get_registry().codec(family.name)
    assert (codec.sample_rate, codec.frame_rate, codec.cardinality, codec.total_codebooks) == \
        (spec.sample_rate, spec.frame_rate, spec.cardinality, spec.total_codebooks)
    check_parity(family, codec, model, extractor)


@pytest.mark.parametrize("family", FAST, ids=lambda family: family.name)
def test_repo_id_and_folder_match_transformers(hub_tokenizer, family, tmp_path):
    model, extractor = hub_tokenizer(family.repo, family.revision)
    check_parity(family, codecreg.load_codec(family.hub), model, extractor, batch=1)
    save_tokenizer(model, extractor, tmp_path)
    codec = codecreg.load_codec(f"hf:{tmp_path}")
    check_parity(family, codec, model, extractor, batch=1)
    assert codecreg.get_registry().source_for_path(str(tmp_path)).name == "hf"  # a bare folder loads too


@pytest.mark.slow
@pytest.mark.parametrize("family", SLOW, ids=lambda family: family.name)
def test_real_size_matches_transformers(hub_tokenizer, tokenizer_codec, family):
    model, extractor = hub_tokenizer(family.repo, family.revision)
    if family.name in ("xcodec2", "neucodec"):
        assert sum(p.numel() for p in model.parameters()) > 600e6
    check_parity(family, tokenizer_codec(family.registered), model, extractor)


def test_mimi_num_codebooks_is_transformers_num_quantizers(hub_tokenizer):
    model, _ = hub_tokenizer("kyutai/mimi")
    codec = codecreg.load_codec("mimi?num_codebooks=8")  # Moshi's eight
    assert (codec.num_codebooks, codec.bitrate) == (8, pytest.approx(8 * 11 * 12.5 / 1000))
    audio = synthetic_audio(1, 9600, 24000)
    with torch.no_grad():
        expected = model.encode(audio, num_quantizers=8, return_dict=True).audio_codes
    codes = codec.encode(audio)[0]
    assert torch.equal(codes, expected)
    assert codec.decode_latent(codes).shape == (1, model.config.hidden_size, codes.shape[-1])


def test_x_codec_bandwidth_selects_the_first_codebooks(hub_tokenizer, tokenizer_codec):
    model, _ = hub_tokenizer("hf-audio/xcodec-hubert-librispeech")
    codec = codecreg.load_codec("xcodec_hubert_librispeech?bandwidth=1.5")
    assert codec.num_codebooks == 3
    audio = synthetic_audio(1, 8000, 16000)
    with torch.no_grad():  # transformers' own 1.5 kbps setting
        expected = model.encode(audio, bandwidth=1.5, return_dict=True).audio_codes
    assert torch.equal(codec.encode(audio)[0], expected)


def test_single_codebook_families_refuse_more_codebooks(hub_tokenizer, tokenizer_codec):
    hub_tokenizer("swiss-ai/wavtokenizer-large-unify-40token")
    codec = tokenizer_codec("wavtokenizer_large_unify_40")
    with pytest.raises(ValueError, match="has a single codebook, so num_codebooks can only be 1"):
        codec.set_num_codebooks(2)
    with pytest.raises(codecreg.CodecregError, match="num_codebooks must be from 1 to 1, got 4"):  # from the spec
        codecreg.load_codec("wavtokenizer_large_unify_40?num_codebooks=4")
    assert codec.num_codebooks == 1


def test_feature_extractor_settings_are_required(hub_tokenizer, tmp_path):
    model, _ = hub_tokenizer("HKUSTAudio/xcodec2-hf", "reduced")
    model.save_pretrained(tmp_path)  # no preprocessor_config.json
    with pytest.raises(codecreg.CheckpointError, match="has no preprocessor_config.json.*Xcodec2FeatureExtractor"):
        codecreg.load_codec(f"hf:{tmp_path}")


def test_unknown_model_type_lists_every_family(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "snac"}')
    with pytest.raises(codecreg.CheckpointError) as error:
        codecreg.load_codec(f"hf:{tmp_path}")
    for model_type in ("mimi", "xcodec", "xcodec2", "wavtokenizer", "neucodec", "higgs_audio_v2_tokenizer"):
        assert f"'{model_type}'" in str(error.value)


def test_info_shows_mimis_semantic_codebook(capsys):
    from codecreg.cli.main import main

    assert main(["info", "mimi"]) == 0
    assert "codebook 0 is semantic" in capsys.readouterr().out
