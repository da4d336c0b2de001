"""The same weights through two plugins give the same codes.

- transformers' EnCodec through ``hf:`` and our native EnCodec (``codecreg_encodec``);
- the ``dac`` package through ``dac_*`` and transformers' DacModel through ``hf:``.

Each pair loads from real on-disk formats: an offline Hub cache, a transformers
folder, DAC's own checkpoint file. Lengths are deliberately not hop multiples.
"""

import pytest
import torch

import codecreg
from codecreg.testing import assert_codes_match_up_to_near_ties, checkpoint_folder, synthetic_audio
from codecreg_dac.checkpoint import load_dac_model
from codecreg_dac.variants import PUBLISHED
from support.dac_conversion import dac_to_transformers
from support.hf_models import build_encodec, cache_model


def _encode_both(first, second, seconds):
    audio = synthetic_audio(first.channels, int(seconds * first.sample_rate), first.sample_rate, batch=2, seed=7)
    (codes_a, scale_a), (codes_b, scale_b) = first.encode(audio), second.encode(audio)
    return audio, (codes_a, scale_a), (codes_b, scale_b)


@pytest.mark.parametrize("config, seconds", [
    pytest.param("encodec_32khz", 1.37, id="32khz-tiny"),
    pytest.param("encodec_24khz", 1.37, id="24khz-tiny"),
])
def test_hf_and_native_encodec_agree_on_small_models(config, seconds):
    model = build_encodec(config, tiny=True)
    snapshot = cache_model(model, f"codecreg-tests/{config}-tiny-cross")
    native = codecreg.load_codec(str(snapshot))  # a bare transformers folder loads through the native plugin
    wrapped = codecreg.load_codec(f"hf:codecreg-tests/{config}-tiny-cross")
    assert type(native).__module__.startswith("codecreg_encodec")
    assert type(wrapped).__module__.startswith("codecreg_hf")
    audio, (codes_n, scale_n), (codes_h, scale_h) = _encode_both(native, wrapped, seconds)
    assert codes_n.shape == codes_h.shape and codes_n.shape[1] == native.num_codebooks
    assert torch.equal(codes_n, codes_h)
    assert len(torch.unique(codes_n[0, -1])) > 1
    decoded_n = native.decode(codes_n, scale_n, length=audio.shape[-1])
    decoded_h = wrapped.decode(codes_h, scale_h, length=audio.shape[-1])
    assert float((decoded_n - decoded_h).abs().max()) < 1e-4


@pytest.mark.slow
def test_hf_and_native_encodec_32khz_agree_at_real_size():
    model = build_encodec("encodec_32khz")
    snapshot = cache_model(model, "codecreg-tests/encodec_32khz-cross")
    native = codecreg.load_codec(str(snapshot))
    wrapped = codecreg.load_codec("hf:codecreg-tests/encodec_32khz-cross")
    audio, (codes_n, scale_n), (codes_h, scale_h) = _encode_both(native, wrapped, 10.01)
    assert codes_n.shape == (2, 4, 501)
    with torch.no_grad():  # the native encoder computes differently: codes agree up to near-ties
        latent = torch.cat([model.encoder(item) for item in audio.split(1)])
    assert_codes_match_up_to_near_ties(codes_n, codes_h, latent, [layer.codebook.embed
                                                                  for layer in model.quantizer.layers])
    decoded_n = native.decode(codes_h, scale_h, length=audio.shape[-1])  # the same codes decoded by both
    decoded_h = wrapped.decode(codes_h, scale_h, length=audio.shape[-1])
    assert float((decoded_n - decoded_h).abs().max()) < 1e-5


def _dac_pair(name, size):
    """The dac plugin on the name's test checkpoint (by path), and the same weights in transformers' DacModel."""
    checkpoint = checkpoint_folder(name, size) / PUBLISHED[name].filename
    repo_id = f"codecreg-tests/{name}-{size}-cross"
    cache_model(dac_to_transformers(load_dac_model(checkpoint)), repo_id)
    # the package path: transformers runs the same kernels, so codes are equal bit for bit
    return codecreg.load_codec(f"{checkpoint}?impl=package"), codecreg.load_codec(f"hf:{repo_id}")


@pytest.mark.parametrize("name", ["dac_44khz", "dac_16khz"])
def test_dac_plugin_and_hf_dac_agree_on_small_models(name):
    native, wrapped = _dac_pair(name, "small")
    assert type(native).__module__.startswith("codecreg_dac")
    assert type(wrapped).__module__.startswith("codecreg_hf")
    assert (native.frame_rate, native.total_codebooks) == (wrapped.frame_rate, wrapped.total_codebooks)
    _, (codes_d, _), (codes_h, _) = _encode_both(native, wrapped, 0.77)
    assert codes_d.shape == codes_h.shape and torch.equal(codes_d, codes_h)
    assert len(torch.unique(codes_d[0, -1])) > 1
    native.set_num_codebooks(4)
    wrapped.set_num_codebooks(4)
    _, (codes_d, _), (codes_h, _) = _encode_both(native, wrapped, 0.77)
    assert codes_d.shape[1] == 4 and torch.equal(codes_d, codes_h)


@pytest.mark.slow
def test_dac_44khz_and_hf_dac_agree_at_real_size():
    native, wrapped = _dac_pair("dac_44khz", "real")
    _, (codes_d, _), (codes_h, _) = _encode_both(native, wrapped, 1.5)
    assert codes_d.shape == (2, 9, 130) and torch.equal(codes_d, codes_h)
