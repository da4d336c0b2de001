"""Loading DAC's own checkpoint format as plain data, and refusing anything that would run code."""

import warnings
import zipfile

import dac
import pytest
import torch

import codecreg
from codecreg import CheckpointError
from codecreg.testing import synthetic_audio
from codecreg_dac.checkpoint import load_dac_model


class MarkerPayload:
    """Unpickling this creates ``path``: the side effect a malicious checkpoint would have."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, "w")


def test_loaded_model_encodes_like_the_package_loader(dac_checkpoint):
    path = dac_checkpoint("dac_24khz")
    ours = load_dac_model(path)
    reference = dac.DAC.load(str(path)).eval()  # the package's own (pickle-trusting) loader
    audio = synthetic_audio(1, 12000, 24000)
    with torch.no_grad():
        expected = reference.encode(reference.preprocess(audio, 24000))[1]
        assert torch.equal(ours.encode(ours.preprocess(audio, 24000))[1], expected)
    assert not ours.training
    assert not any(tensor.is_meta for tensor in [*ours.parameters(), *ours.buffers()])


def test_malicious_pickle_is_refused_and_never_runs(tmp_path, dac_checkpoint):
    content = torch.load(dac_checkpoint("dac_16khz"), weights_only=True)
    marker = tmp_path / "pwned"
    content["metadata"]["kwargs"]["payload"] = MarkerPayload(marker)
    path = tmp_path / "malicious.pth"
    torch.save(content, path)
    assert not marker.exists()

    assert codecreg.get_registry().source_for_path(str(path)).name == "dac"  # claimed: looks like DAC
    with pytest.raises(CheckpointError, match="refused to load .*could run arbitrary code") as error:
        codecreg.load_codec(str(path))
    assert "Unsupported global: GLOBAL io.open" in str(error.value)
    assert not marker.exists()


def test_torch_package_archive_is_refused_with_a_way_out(tmp_path):
    archive = tmp_path / "package.pth"
    dac.DAC(encoder_dim=4, decoder_dim=32, n_codebooks=2).save(str(archive))
    with pytest.raises(CheckpointError, match=r"torch.package archive.*package=False"):
        codecreg.load_codec(str(archive))


def test_weights_that_do_not_fit_the_metadata_are_refused(tmp_path, dac_checkpoint):
    content = torch.load(dac_checkpoint("dac_16khz"), weights_only=True)
    content["metadata"]["kwargs"]["n_codebooks"] = 13  # one quantizer more than the weights hold
    path = tmp_path / "mismatch.pth"
    torch.save(content, path)
    with pytest.raises(CheckpointError, match="(?s)do not fit the model its metadata describes.*quantizers.12"):
        codecreg.load_codec(f"dac:{path}")


def test_unknown_keyword_arguments_are_left_out_like_the_package_does(tmp_path, dac_checkpoint):
    content = torch.load(dac_checkpoint("dac_16khz"), weights_only=True)
    content["metadata"]["kwargs"]["option_of_a_later_version"] = 1
    path = tmp_path / "extra.pth"
    torch.save(content, path)
    assert codecreg.load_codec(str(path)).total_codebooks == 12


def test_a_corrupt_zip_is_not_claimed_and_the_error_names_the_formats(tmp_path):
    path = tmp_path / "broken.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("broken/data.pkl", b"\x80\x02}q\x00")  # truncated pickle
    with pytest.raises(CheckpointError, match="no installed plugin recognizes.*dac"):
        codecreg.load_codec(str(path))


def test_a_revision_on_a_local_file_is_refused(dac_checkpoint):
    with pytest.raises(codecreg.InvalidNameError, match="no revisions"):
        codecreg.load_codec(f"dac:{dac_checkpoint('dac_16khz')}@v1")


def test_building_prints_no_weight_norm_deprecation_and_keeps_the_callers_filters(dac_checkpoint):
    path = dac_checkpoint("dac_16khz")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        codecreg.load_codec(str(path))
        assert not [w for w in caught if "weight_norm" in str(w.message)]
        warnings.warn("torch.nn.utils.weight_norm elsewhere", FutureWarning)  # only our call is silenced
    assert [str(w.message) for w in caught] == ["torch.nn.utils.weight_norm elsewhere"]
