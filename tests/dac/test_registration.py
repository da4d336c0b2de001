"""What the dac plugin registers, and that listing and sniffing import neither torch nor dac."""

import json
import subprocess
import sys
import zipfile

import pytest
import torch

import codecreg
from codecreg_dac.sniff import PACKAGE, WEIGHTS, checkpoint_kind, is_dac_checkpoint


@pytest.mark.parametrize("name, sample_rate, frame_rate, codebooks, kbps", [
    ("dac_44khz", 44100, 44100 / 512, 9, 9 * 10 * 44100 / 512 / 1000),
    ("dac_44khz_16kbps", 44100, 44100 / 512, 18, 18 * 10 * 44100 / 512 / 1000),
    ("dac_24khz", 24000, 75.0, 32, 24.0),
    ("dac_16khz", 16000, 50.0, 12, 6.0),  # labelled "8kbps" by Descript
])
def test_published_models_are_registered_with_their_real_bitrate(name, sample_rate, frame_rate, codebooks, kbps):
    spec = codecreg.codec_info(name)
    assert (spec.sample_rate, spec.channels, spec.cardinality) == (sample_rate, 1, 1024)
    assert isinstance(spec.frame_rate, float) and spec.frame_rate == frame_rate
    assert spec.num_codebooks == spec.total_codebooks == codebooks
    assert spec.bitrate() == pytest.approx(kbps)
    assert spec.requires == ("torch", "dac") and spec.install == "pip install 'codecreg[dac]'"
    assert set(spec.options) == {"channels", "impl"}
    assert "github.com/descriptinc" in spec.weights


def test_audiocraft_names_resolve():
    assert codecreg.codec_info("//pretrained/dac_44khz").name == "dac_44khz"
    assert codecreg.codec_info("dac_24khz").sample_rate == 24000


def test_dac_source_is_registered_with_a_sniffer():
    source = codecreg.get_registry().source("dac")
    assert source.claims_path == "codecreg_dac.sniff:is_dac_checkpoint"


def test_listing_and_sniffing_import_neither_torch_nor_dac(dac_checkpoint):
    path = dac_checkpoint("dac_16khz")
    script = (
        "import json, sys, codecreg\n"
        "names = [spec.name for spec in codecreg.list_codecs('dac_*')]\n"
        f"claimed = codecreg.get_registry().source_for_path({str(path)!r}).name\n"
        "print(json.dumps([names, claimed, [m for m in ('torch', 'dac', 'numpy') if m in sys.modules]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    names, claimed, heavy = json.loads(out.strip().splitlines()[-1])
    assert set(names) >= {"dac_16khz", "dac_24khz", "dac_44khz", "dac_44khz_16kbps"}
    assert claimed == "dac"
    assert "torch" not in heavy and "dac" not in heavy


def test_sniffer_tells_dac_files_from_other_torch_files(tmp_path, dac_checkpoint):
    assert checkpoint_kind(str(dac_checkpoint("dac_16khz"))) == WEIGHTS

    plain_state_dict = tmp_path / "state_dict.pth"
    torch.save({"encoder.weight": torch.zeros(2)}, plain_state_dict)
    other_dict = tmp_path / "other.pth"
    torch.save({"state_dict": {}, "metadata": {"kwargs": {"hidden": 3}}}, other_dict)
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("x/data.pkl", b"not a pickle")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    for path in (plain_state_dict, other_dict, other_zip, text, tmp_path / "missing.pth", tmp_path):
        assert not is_dac_checkpoint(str(path)), path


def test_sniffer_claims_torch_package_archives_so_they_are_refused_by_name(tmp_path):
    import dac

    archive = tmp_path / "package.pth"
    dac.DAC(encoder_dim=4, decoder_dim=32, n_codebooks=2).save(str(archive))  # package=True: pickled code
    assert checkpoint_kind(str(archive)) == PACKAGE
