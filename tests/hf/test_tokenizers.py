"""The transformers audio tokenizers behind ``hf:`` (Mimi, X-Codec, Higgs Audio v2, WavTokenizer,
XCodec2, NeuCodec) against transformers' own models on the same seeded random weights: codes
equal item by item, decoded audio within 1e-5, by registered name, by ``hf:<repo>`` from the
offline Hub cache and by ``hf:<folder>``; every codebook varies. The weights are the hf
plugin's test weights (``codecreg.testing.checkpoint_folder``) and transformers loads its
reference from the same folder.

Default tier: every family (X-Codec with each semantic branch) at size "small" (the published
geometry, one-layer 32-channel stacks). Slow tier: the same parity at the real sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch
import torchaudio

import codecreg
from codecreg.testing import load_test_codec, synthetic_audio


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
    reference: object = rvq_reference
    extra_frame: bool = False  # XCodec2: T // hop + 1 frames


#: one registered name per family and semantic branch (the other X-Codec names share their
#: architecture and adapter: the core registry test runs the kit over each of them)
FAMILIES = [
    Family("mimi"),
    Family("xcodec_hubert_librispeech", xcodec_reference),
    Family("xcodec_wavlm_mls", xcodec_reference),
    Family("higgs_audio_v2_tokenizer", xcodec_reference),
    Family("wavtokenizer_large_unify_40"),
    Family("xcodec2", features_reference, extra_frame=True),
    Family("neucodec", neucodec_reference),
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


def check_parity(family: Family, codec, tokenizer, batch: int = 2) -> None:
    model, extractor = tokenizer.model, tokenizer.extractor
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


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
def test_registered_name_matches_transformers(hub_tokenizer, tokenizer_codec, family):
    codec = tokenizer_codec(family.name)
    spec = codecreg.get_registry().codec(family.name)
    assert (codec.sample_rate, codec.frame_rate, codec.cardinality, codec.total_codebooks) == \
        (spec.sample_rate, spec.frame_rate, spec.cardinality, spec.total_codebooks)
    check_parity(family, codec, hub_tokenizer(family.name))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
def test_repo_id_and_folder_match_transformers(hub_tokenizer, load_installed, family):
    tokenizer = hub_tokenizer(family.name)
    check_parity(family, load_installed(f"hf:{tokenizer.repo}", family.name), tokenizer, batch=1)
    check_parity(family, codecreg.load_codec(f"hf:{tokenizer.folder}"), tokenizer, batch=1)
    assert codecreg.get_registry().source_for_path(str(tokenizer.folder)).name == "hf"  # a bare folder loads too


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
def test_real_size_matches_transformers(hub_tokenizer, tokenizer_codec, family):
    tokenizer = hub_tokenizer(family.name, "real")
    if family.name in ("xcodec2", "neucodec"):
        assert sum(p.numel() for p in tokenizer.model.parameters()) > 600e6
    check_parity(family, tokenizer_codec(family.name, "real"), tokenizer)


def test_mimi_num_codebooks_is_transformers_num_quantizers(hub_tokenizer):
    model = hub_tokenizer("mimi").model
    codec = load_test_codec("mimi?num_codebooks=8")  # Moshi's eight
    assert (codec.num_codebooks, codec.bitrate) == (8, pytest.approx(8 * 11 * 12.5 / 1000))
    audio = synthetic_audio(1, 9600, 24000)
    with torch.no_grad():
        expected = model.encode(audio, num_quantizers=8, return_dict=True).audio_codes
    codes = codec.encode(audio)[0]
    assert torch.equal(codes, expected)
    assert codec.decode_latent(codes).shape == (1, model.config.hidden_size, codes.shape[-1])


def test_x_codec_bandwidth_selects_the_first_codebooks(hub_tokenizer):
    model = hub_tokenizer("xcodec_hubert_librispeech").model
    codec = load_test_codec("xcodec_hubert_librispeech?bandwidth=1.5")
    assert codec.num_codebooks == 3
    audio = synthetic_audio(1, 8000, 16000)
    with torch.no_grad():  # transformers' own 1.5 kbps setting
        expected = model.encode(audio, bandwidth=1.5, return_dict=True).audio_codes
    assert torch.equal(codec.encode(audio)[0], expected)


def test_single_codebook_families_refuse_more_codebooks(tokenizer_codec):
    codec = tokenizer_codec("wavtokenizer_large_unify_40")
    with pytest.raises(ValueError, match="has a single codebook, so num_codebooks can only be 1"):
        codec.set_num_codebooks(2)
    with pytest.raises(codecreg.CodecregError, match="num_codebooks must be from 1 to 1, got 4"):  # from the spec
        load_test_codec("wavtokenizer_large_unify_40?num_codebooks=4")
    assert codec.num_codebooks == 1


@pytest.mark.parametrize("model_type, extractor", [("xcodec2", "Xcodec2FeatureExtractor"),
                                                   ("neucodec", "NeuCodecFeatureExtractor")])
def test_feature_extractor_settings_are_required(tmp_path, model_type, extractor):
    (tmp_path / "config.json").write_text(f'{{"model_type": "{model_type}"}}')  # no preprocessor_config.json
    with pytest.raises(codecreg.CheckpointError, match=f"has no preprocessor_config.json.*{extractor}"):
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
