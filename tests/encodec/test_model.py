"""The codec's own behaviour: the time-major decoder against the layer-by-layer modules,
padding modes and short inputs against the encodec package, argument errors, names."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

import codecreg
from codecreg.testing import synthetic_audio
from codecreg_encodec.config import ENCODEC_24KHZ
from codecreg_encodec.time_major import decode as decode_time_major
from codecreg_encodec.weights import build_codec


def package_model(pad_mode: str = "reflect", causal: bool = True, stereo: bool = False, true_skip: bool = False):
    from encodec import EncodecModel
    from encodec.modules import SEANetDecoder, SEANetEncoder
    from encodec.quantization import ResidualVectorQuantizer

    torch.manual_seed(5)
    shape = dict(channels=2 if stereo else 1, dimension=16, n_filters=4, ratios=[5, 2], lstm=1, causal=causal,
                 norm="time_group_norm" if stereo else "weight_norm", pad_mode=pad_mode, true_skip=true_skip,
                 n_residual_layers=2)
    model = EncodecModel(SEANetEncoder(**shape), SEANetDecoder(**shape),
                         ResidualVectorQuantizer(dimension=16, n_q=4, bins=32),
                         target_bandwidths=[24.0], sample_rate=8000, channels=shape["channels"]).eval()
    config = ENCODEC_24KHZ.replace(
        sample_rate=8000, channels=shape["channels"], ratios=(5, 2), n_filters=4, dimension=16, codebook_size=32,
        num_codebooks=4, lstm_layers=1, causal=causal, pad_mode=pad_mode, true_skip=true_skip,
        norm=shape["norm"], n_residual_layers=2)
    with torch.no_grad():  # codebooks from latent frames, so that codes vary
        latent = model.encoder(synthetic_audio(shape["channels"], 8000, 8000, seed=1))[0].T
        for layer in model.quantizer.vq.layers:
            layer._codebook.embed.copy_(latent[torch.randperm(latent.shape[0])[:32]])
            latent = latent - layer._codebook.embed[torch.cdist(latent, layer._codebook.embed).argmin(-1)]
    return model, build_codec(config, model.state_dict())


@pytest.mark.parametrize("pad_mode, causal, stereo, true_skip", [
    ("reflect", True, False, False), ("constant", False, False, True), ("constant", True, False, False),
    ("reflect", False, True, False),
])
def test_encoding_and_decoding_match_the_package(pad_mode, causal, stereo, true_skip):
    model, ours = package_model(pad_mode, causal, stereo, true_skip)
    for length in (3, 10, 997, 4001):  # shorter than the padding of the first convolution, and longer
        audio = synthetic_audio(ours.channels, length, 8000, batch=2, seed=length)
        with torch.no_grad():  # item by item: the reference gives a batch other last bits than its items
            expected_codes = torch.cat([model.quantizer.encode(model.encoder(item), 1000, None).transpose(0, 1)
                                        for item in audio.split(1)])
            expected_audio = model.decoder(model.quantizer.decode(expected_codes.transpose(0, 1)))
        codes, _ = ours.encode(audio)
        assert torch.equal(codes, expected_codes), length
        assert (ours.decode(codes) - expected_audio).abs().max() <= 1e-5, length
    assert len(torch.unique(codes[0, 0])) > 5 and len(torch.unique(codes[0, -1])) > 5


def test_time_major_decoder_matches_the_layer_by_layer_modules():
    _, ours = package_model("reflect", causal=False, stereo=True)
    latent = torch.randn(3, 16, 57)
    with torch.no_grad():
        expected = ours.decoder(latent)
        decoded = decode_time_major(ours.decoder, latent.transpose(1, 2))
    assert decoded.shape == expected.shape == (3, 2, 570) and decoded.is_contiguous()
    assert (decoded - expected).abs().max() <= 1e-5


def test_decode_latent_is_the_sum_of_codebook_entries():
    _, ours = package_model()
    codes = torch.randint(0, 32, (2, 3, 11))
    latent = ours.decode_latent(codes)
    expected = sum(ours.quantizer.codebooks[k][codes[:, k]] for k in range(3)).transpose(1, 2)
    assert latent.shape == (2, 16, 11) and torch.allclose(latent, expected)


def test_decode_arguments_are_checked():
    _, ours = package_model()
    codes = torch.randint(0, 32, (1, 4, 10))
    assert ours.decode(codes).shape == (1, 1, 100)
    assert ours.decode(codes, length=95).shape == (1, 1, 95)
    with pytest.raises(ValueError, match="cover 100"):
        ours.decode(codes, length=101)
    with pytest.raises(ValueError, match="does not renormalize"):
        ours.decode(codes, torch.ones(1, 1))
    with pytest.raises(ValueError, match="the model has 4"):
        ours.decode(torch.zeros(1, 5, 10, dtype=torch.long))
    with pytest.raises(ValueError, match=r"codes must lie in \[0, 32\), got values from 0 to 32"):
        ours.decode(torch.full((1, 4, 10), 32).index_fill_(2, torch.tensor([0]), 0))
    with pytest.raises(ValueError, match="no frames"):
        ours.decode(torch.zeros(1, 4, 0, dtype=torch.long))
    with pytest.raises(ValueError, match="positive int"):
        ours.decode(codes, length=0)


def test_segmented_decode_checks_the_scale_against_the_segments():
    _, ours = package_model("reflect", causal=False, stereo=True)
    ours = build_codec(ours.config.replace(segment=0.25, renormalize=True), ours.state_dict())
    audio = synthetic_audio(2, 5000, 8000, seed=2)  # segments of 2000 samples every 1980: three
    codes, scale = ours.encode(audio)
    assert scale.shape == (1, 3) and codes.shape[-1] == 200 + 200 + 104
    assert ours.decode(codes, scale, length=5000).shape == (1, 2, 5000)
    with pytest.raises(ValueError, match="3 segment"):
        ours.decode(codes, scale[:, :2], length=5000)
    with pytest.raises(ValueError, match="pass the length"):
        ours.decode(codes, scale, length=4000)


def test_stereo_input_to_a_mono_model_is_refused():
    _, ours = package_model()
    with pytest.raises(ValueError, match="mono codec but got 2 channel"):
        ours.encode(torch.zeros(1, 2, 800))


def test_codebook_options_in_the_name(small_transformers):
    _, folder = small_transformers
    codec = codecreg.load_codec(f"{folder}?num_codebooks=2")
    assert codec.num_codebooks == 2 and codec.encode(torch.zeros(1, 1, 800))[0].shape == (1, 2, 100)
    assert codecreg.load_codec(f"{folder}?bandwidth=12").num_codebooks == 2  # 6 kbps per codebook


def test_registered_names_describe_the_published_models():
    info = codecreg.codec_info("facebook/encodec_32khz")
    assert (info.name, info.sample_rate, info.frame_rate, info.cardinality, info.total_codebooks) == (
        "encodec_32khz", 32000, 50.0, 2048, 4)
    assert info.bitrate() == pytest.approx(2.2)
    info = codecreg.codec_info("encodec_48khz")
    assert (info.channels, info.frame_rate, info.total_codebooks, info.bandwidths) == (2, 150.0, 16, (3, 6, 12, 24))
    assert codecreg.codec_info("encodec_24khz").bitrate(8) == pytest.approx(6.0)


def test_listing_and_sniffing_import_no_torch(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "encodec"}')
    (tmp_path / "model.safetensors").write_bytes(b"")
    script = (
        "import sys, codecreg\n"
        "names = [spec.name for spec in codecreg.list_codecs('encodec*')]\n"
        f"spec = codecreg.get_registry().source_for_path({str(tmp_path)!r})\n"
        "print(names, spec.name, 'torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['encodec_24khz', 'encodec_32khz', 'encodec_48khz'] encodec-transformers False"
