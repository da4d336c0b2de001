"""Real-size DAC models (seeded random weights at the published configurations), slow tier.

Each is the plugin's test checkpoint in DAC's own format, loaded through the plugin by name
(from the cache folder) and by path, and checked against the ``dac`` package's own loader,
encoder and decoder on the same file. The contract kit runs on them in
tests/core/test_every_registered_codec.py.
"""

import dac
import pytest
import torch

import codecreg
from codecreg.testing import synthetic_audio

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name, codebooks", [
    ("dac_44khz", 9), ("dac_24khz", 32), ("dac_16khz", 12), ("dac_44khz_16kbps", 18),
])
def test_codes_equal_the_package_by_name_and_by_path(name, codebooks, load_by_name, dac_checkpoint):
    codec = load_by_name(name, small=False)
    path = dac_checkpoint(name, small=False)
    reference = dac.DAC.load(str(path)).eval()
    audio = synthetic_audio(1, int(0.6 * codec.sample_rate), codec.sample_rate, batch=2)
    with torch.no_grad():  # item by item, as the plugin encodes
        expected = torch.cat([reference.encode(reference.preprocess(item, codec.sample_rate))[1]
                              for item in audio.split(1)])
        expected_audio = reference.decode(reference.quantizer.from_codes(expected)[0])
    del reference

    codes, _ = codec.encode(audio)
    assert codes.shape[1] == codebooks and torch.equal(codes, expected)
    decoded = codec.decode(codes)
    assert torch.equal(decoded[..., :expected_audio.shape[-1]], expected_audio)
    assert all(len(torch.unique(codes[0, k])) > 10 for k in range(codebooks)), "codes barely vary"
    assert torch.equal(codecreg.load_codec(str(path)).encode(audio)[0], expected)


def test_four_codebooks_of_the_real_44khz_model(load_by_name, dac_checkpoint):
    codec = load_by_name("dac_44khz?num_codebooks=4", small=False)
    assert codec.bitrate == pytest.approx(4 * 10 * 44100 / 512 / 1000)
    audio = synthetic_audio(1, 20000, 44100)
    reference = dac.DAC.load(str(dac_checkpoint("dac_44khz", small=False))).eval()
    with torch.no_grad():
        expected = reference.encode(reference.preprocess(audio, 44100), n_quantizers=4)[1]
    assert torch.equal(codec.encode(audio)[0], expected)
