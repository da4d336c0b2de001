"""Real-size DAC models (seeded random weights at the published configurations), slow tier.

Each is the plugin's test checkpoint in DAC's own format, loaded through the plugin by name
(from the cache folder) and by path, and checked against the ``dac`` package's own loader,
encoder and decoder on the same file: the native layers (default) up to near-ties and within
1e-4, the package path (``impl=package``) bit for bit. The contract kit runs on them in
tests/core/test_every_registered_codec.py.
"""

import dac
import pytest
import torch

import codecreg
from codecreg.testing import synthetic_audio
from codecreg_dac.parity import assert_dac_codes_match_up_to_near_ties

pytestmark = pytest.mark.slow


MODELS = [("dac_44khz", 9), ("dac_24khz", 32), ("dac_16khz", 12), ("dac_44khz_16kbps", 18)]


@pytest.mark.parametrize("name, codebooks", MODELS)
def test_native_codes_and_audio_match_the_package(name, codebooks, load_by_name, dac_checkpoint):
    """About 1 s of audio per model (two items of 0.6 s), every codebook."""
    codec = load_by_name(name, small=False)
    path = dac_checkpoint(name, small=False)
    reference = dac.DAC.load(str(path)).eval()
    audio = synthetic_audio(1, int(0.6 * codec.sample_rate), codec.sample_rate, batch=2)
    with torch.no_grad():  # item by item, as the plugin encodes
        latent = torch.cat([reference.encoder(reference.preprocess(item, codec.sample_rate)) for item in audio.split(1)])
        expected = torch.cat([reference.quantizer(item)[1] for item in latent.split(1)])
        expected_audio = reference.decode(reference.quantizer.from_codes(expected)[0])
    del reference

    codes, _ = codec.encode(audio)
    assert codes.shape[1] == codebooks
    near_ties = assert_dac_codes_match_up_to_near_ties(codes, expected, latent, codec.model)
    print(f"{name}: {near_ties} of {codes.numel()} codes differ from the package's at near-ties")
    decoded = codec.decode(expected)
    torch.testing.assert_close(decoded[..., :expected_audio.shape[-1]], expected_audio, rtol=0, atol=1e-4)
    assert all(len(torch.unique(codes[0, k])) > 10 for k in range(codebooks)), "codes barely vary"
    assert torch.equal(codecreg.load_codec(str(path)).encode(audio)[0], codes)


@pytest.mark.parametrize("name, codebooks", MODELS[:1] + MODELS[2:3])
def test_package_path_gives_the_package_codes_bit_for_bit(name, codebooks, load_by_name, dac_checkpoint):
    codec = load_by_name(f"{name}?impl=package", small=False)
    reference = dac.DAC.load(str(dac_checkpoint(name, small=False))).eval()
    audio = synthetic_audio(1, int(0.6 * codec.sample_rate), codec.sample_rate)
    with torch.no_grad():
        expected = reference.encode(reference.preprocess(audio, codec.sample_rate))[1]
        expected_audio = reference.decode(reference.quantizer.from_codes(expected)[0])
    codes, _ = codec.encode(audio)
    assert codes.shape[1] == codebooks and torch.equal(codes, expected)
    assert torch.equal(codec.decode(codes)[..., :expected_audio.shape[-1]], expected_audio)


def test_four_codebooks_of_the_real_44khz_model(load_by_name, dac_checkpoint):
    codec = load_by_name("dac_44khz?num_codebooks=4", small=False)
    assert codec.bitrate == pytest.approx(4 * 10 * 44100 / 512 / 1000)
    audio = synthetic_audio(1, 20000, 44100)
    reference = dac.DAC.load(str(dac_checkpoint("dac_44khz", small=False))).eval()
    with torch.no_grad():
        latent = reference.encoder(reference.preprocess(audio, 44100))
        expected = reference.encode(reference.preprocess(audio, 44100), n_quantizers=4)[1]
    assert_dac_codes_match_up_to_near_ties(codec.encode(audio)[0], expected, latent, codec.model)
